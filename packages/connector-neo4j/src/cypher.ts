/**
 * Cypher the connector builds: labels and property keys in backticks (validated first, so a
 * hostile name is refused rather than escaped), and typed filters as a WHERE expression over
 * `$parameters` — values are always parameters, never spliced into the text.
 *
 * The translation keeps core's reference semantics (`matchesFilter`): every leaf is made
 * two-valued with `coalesce(…, false)` so `not` never meets a null; a missing property equals
 * null; comparisons across types are false. Nested fields are properties with dotted keys
 * (`address.city`), the way this connector stores nested objects.
 */
import { InvalidArgumentError, type Filter, type FilterValue } from '@sparkle/core';

const LABEL = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PROPERTY = /^[A-Za-z_$@][\w$@-]*(\.[A-Za-z_$@0-9][\w$@-]*)*$/;

/**
 * A label in backticks, refused unless it is letters, digits and `_`.
 * @example
 * ```ts
 * quoteLabel('Person'); // '`Person`'
 * ```
 */
export function quoteLabel(label: string): string {
  if (typeof label !== 'string' || !LABEL.test(label)) {
    throw new InvalidArgumentError(`Neo4j label ${JSON.stringify(label)} is not allowed: use letters, digits and _ (a label is the collection name)`, { connector: 'neo4j' });
  }
  return `\`${label}\``;
}

/** A property key in backticks (dotted keys are flattened nested fields); anything but a plain dotted name is refused. */
export function quoteProperty(key: string): string {
  if (typeof key !== 'string' || !PROPERTY.test(key)) {
    throw new InvalidArgumentError(`Neo4j property ${JSON.stringify(key)} is not allowed: use a dotted name of letters, digits, _ $ @ -`, { connector: 'neo4j' });
  }
  return `\`${key}\``;
}

/** A WHERE expression and its parameters. */
export interface CypherWhere {
  text: string;
  params: Record<string, unknown>;
}

/**
 * Translates a typed filter into a Cypher predicate on node variable `n`.
 * @param toParam converts a filter value to a driver value (dates → DateTime, integers → Integer)
 */
export function filterToCypher(filter: Filter | undefined, toParam: (v: FilterValue) => unknown, variable = 'n'): CypherWhere {
  const params: Record<string, unknown> = {};
  let next = 0;
  const param = (value: unknown) => {
    const name = `f${next++}`;
    params[name] = value;
    return `$${name}`;
  };
  const walk = (f: Filter): string => {
    if ('and' in f) return `(${f.and.map(walk).join(' AND ')})`;
    if ('or' in f) return `(${f.or.map(walk).join(' OR ')})`;
    if ('not' in f) return `(NOT ${walk(f.not)})`;
    const prop = `${variable}.${quoteProperty(f.field)}`;
    switch (f.op) {
      case 'eq':
        return f.value === null ? `(${prop} IS NULL)` : `coalesce(${prop} = ${param(toParam(f.value))}, false)`;
      case 'ne':
        return f.value === null ? `(${prop} IS NOT NULL)` : `(NOT coalesce(${prop} = ${param(toParam(f.value))}, false))`;
      case 'in':
      case 'nin': {
        const values = f.values.filter((v) => v !== null);
        const hasNull = values.length !== f.values.length;
        const test = `(coalesce(${prop} IN ${param(values.map(toParam))}, false)${hasNull ? ` OR ${prop} IS NULL` : ''})`;
        return f.op === 'in' ? test : `(NOT ${test})`;
      }
      case 'exists': {
        // A nested object is stored as dotted keys: it exists when any of them does.
        const present = `(${prop} IS NOT NULL OR any(k IN keys(${variable}) WHERE k STARTS WITH ${param(`${f.field}.`)}))`;
        return f.value ? present : `(NOT ${present})`;
      }
      case 'prefix':
        return `coalesce(${prop} STARTS WITH ${param(f.value)}, false)`;
      default: {
        const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[f.op];
        if (!op || f.value === null) return 'false';
        return `coalesce(${prop} ${op} ${param(toParam(f.value))}, false)`;
      }
    }
  };
  return filter ? { text: walk(filter), params } : { text: 'true', params };
}
