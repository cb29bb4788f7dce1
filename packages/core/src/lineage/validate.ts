/**
 * A structural check of RunEvents against the OpenLineage 2-0-2 JSON schema (required fields,
 * `uuid` / `date-time` / `uri` formats, BaseFacet fields) and the facets Sparkle emits. Hand
 * written so core needs no JSON-schema library; the connector conformance suite uses it too.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'];

/** JSON-schema `format: uri`: an absolute URI (`scheme:` + rest, no spaces). */
export function isUri(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*:\S*$/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** JSON-schema `format: uuid`. */
export function isUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}

/** JSON-schema `format: date-time` (RFC 3339, offset required). */
export function isDateTime(value: unknown): boolean {
  return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Problems found in `event` as a RunEvent (`[]` when valid), each naming the JSON path.
 * @example
 * expect(validateRunEvent(JSON.parse(line))).toEqual([]);
 */
export function validateRunEvent(event: unknown): string[] {
  const errors: string[] = [];
  const err = (path: string, message: string) => errors.push(`${path}: ${message}`);
  const str = (o: Obj, key: string, path: string) => {
    if (typeof o[key] !== 'string') err(`${path}.${key}`, 'required string');
  };
  if (!isObj(event)) return ['$: not an object'];

  if (!isDateTime(event.eventTime)) err('$.eventTime', 'required, format date-time');
  if (!isUri(event.producer)) err('$.producer', 'required, format uri');
  if (!isUri(event.schemaURL)) err('$.schemaURL', 'required, format uri');
  if (event.eventType !== undefined && !EVENT_TYPES.includes(event.eventType as string)) err('$.eventType', `not one of ${EVENT_TYPES.join('|')}`);

  if (!isObj(event.run)) err('$.run', 'required object');
  else {
    if (!isUuid(event.run.runId)) err('$.run.runId', 'required, format uuid');
    facets(event.run.facets, '$.run.facets', err);
  }
  if (!isObj(event.job)) err('$.job', 'required object');
  else {
    str(event.job, 'namespace', '$.job');
    str(event.job, 'name', '$.job');
    facets(event.job.facets, '$.job.facets', err);
  }
  for (const side of ['inputs', 'outputs'] as const) {
    const list = event[side];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      err(`$.${side}`, 'must be an array');
      continue;
    }
    list.forEach((ds, i) => {
      const path = `$.${side}[${i}]`;
      if (!isObj(ds)) return err(path, 'must be an object');
      str(ds, 'namespace', path);
      str(ds, 'name', path);
      facets(ds.facets, `${path}.facets`, err);
      facets(ds[side === 'inputs' ? 'inputFacets' : 'outputFacets'], `${path}.${side === 'inputs' ? 'inputFacets' : 'outputFacets'}`, err);
    });
  }
  return errors;
}

/** BaseFacet rules for every facet, plus the required fields of the standard facets Sparkle emits. */
function facets(value: unknown, path: string, err: (path: string, message: string) => void): void {
  if (value === undefined) return;
  if (!isObj(value)) return err(path, 'must be an object');
  for (const [name, f] of Object.entries(value)) {
    const p = `${path}.${name}`;
    if (!isObj(f)) {
      err(p, 'a facet must be an object');
      continue;
    }
    if (!isUri(f._producer)) err(`${p}._producer`, 'required, format uri');
    if (!isUri(f._schemaURL)) err(`${p}._schemaURL`, 'required, format uri');
    if (f._deleted !== undefined && typeof f._deleted !== 'boolean') err(`${p}._deleted`, 'must be boolean');
    const need = (key: string, check: (v: unknown) => boolean, what: string) => {
      if (!check(f[key])) err(`${p}.${key}`, what);
    };
    const isStr = (v: unknown) => typeof v === 'string';
    const optInt = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v));
    switch (name) {
      case 'jobType':
        need('processingType', isStr, 'required string');
        need('integration', isStr, 'required string');
        break;
      case 'errorMessage':
        need('message', isStr, 'required string');
        need('programmingLanguage', isStr, 'required string');
        break;
      case 'parent':
        need('run', (v) => isObj(v) && isUuid(v.runId), 'required, with runId (uuid)');
        need('job', (v) => isObj(v) && isStr(v.namespace) && isStr(v.name), 'required, with namespace and name');
        break;
      case 'sql':
        need('query', isStr, 'required string');
        break;
      case 'dataSource':
        need('uri', (v) => v === undefined || isUri(v), 'format uri');
        break;
      case 'schema':
        need('fields', (v) => v === undefined || (Array.isArray(v) && v.every((c) => isObj(c) && isStr(c.name))), 'an array of { name }');
        break;
      case 'outputStatistics':
      case 'inputStatistics':
        need('rowCount', optInt, 'integer');
        need('size', optInt, 'integer');
        need('fileCount', optInt, 'integer');
        break;
    }
  }
}
