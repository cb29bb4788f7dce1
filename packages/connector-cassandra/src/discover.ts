/**
 * Spark SQL type names of CQL types, as the Spark Cassandra connector maps them (for
 * `discover()`): `decimal` → `decimal(38,18)`, `varint` → `decimal(38,0)`, uuids and inet
 * addresses → `string`, collections → `array`/`map`, UDTs and tuples → `struct`.
 */

const SIMPLE: Record<string, string> = {
  ascii: 'string', text: 'string', varchar: 'string', uuid: 'string', timeuuid: 'string', inet: 'string', duration: 'string',
  boolean: 'boolean', tinyint: 'tinyint', smallint: 'smallint', int: 'int', bigint: 'bigint', counter: 'bigint', time: 'bigint',
  float: 'float', double: 'double', decimal: 'decimal(38,18)', varint: 'decimal(38,0)', timestamp: 'timestamp', date: 'date', blob: 'binary',
};

/** Splits `a, b<c, d>` at top-level commas. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '<' || ch === '(') depth++;
    else if (ch === '>' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter(Boolean);
}

/**
 * The Spark type of a CQL type text from `system_schema.columns` (`frozen<list<text>>` → `array<string>`).
 * @param udtFields the fields of user-defined types of the keyspace, by type name
 */
export function sparkTypeOfCql(type: string, udtFields: ReadonlyMap<string, Array<[string, string]>> = new Map()): string {
  const t = type.trim();
  const m = /^(\w+)\s*<(.*)>$/s.exec(t);
  if (m) {
    const [, outer, inner] = m;
    const args = splitTop(inner!);
    switch (outer!.toLowerCase()) {
      case 'frozen':
        return sparkTypeOfCql(args[0]!, udtFields);
      case 'list':
      case 'set':
        return `array<${sparkTypeOfCql(args[0]!, udtFields)}>`;
      case 'map':
        return `map<${sparkTypeOfCql(args[0]!, udtFields)},${sparkTypeOfCql(args[1]!, udtFields)}>`;
      case 'tuple':
        return `struct<${args.map((a, i) => `_${i + 1}:${sparkTypeOfCql(a, udtFields)}`).join(',')}>`;
      case 'vector':
        return `array<${sparkTypeOfCql(args[0]!, udtFields)}>`;
      default:
        return 'string';
    }
  }
  const simple = SIMPLE[t.toLowerCase()];
  if (simple) return simple;
  const fields = udtFields.get(t.replace(/^"|"$/g, '')) ?? udtFields.get(t.toLowerCase());
  if (fields) return `struct<${fields.map(([n, ft]) => `${n}:${sparkTypeOfCql(ft, udtFields)}`).join(',')}>`;
  return 'string';
}
