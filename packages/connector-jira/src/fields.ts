/**
 * Jira field metadata (`GET /rest/api/3/field`) → Arrow columns, issue JSON → row values, and
 * row values → the JSON Jira's create endpoint takes. The field's `schema.type` decides:
 * `string`, `number`, `date`, `datetime` map to their Arrow kinds; `user` to a struct; `array` to
 * a list of its `items`; `option` and named objects (status, priority, issue type…) to their
 * text; anything else to JSON text.
 */
import { InvalidArgumentError, type ColumnSpec, type ColumnType } from '@sparkle/core';
import { adfToText, isAdfDocument, textToAdf } from './adf.js';

/** The part of a field's metadata this module reads. */
export interface JiraField {
  id: string;
  key?: string;
  name?: string;
  custom?: boolean;
  schema?: { type?: string; items?: string; system?: string; custom?: string };
}

/** A user as a struct: the fields Jira Cloud and Data Center both can fill. */
export const USER_COLUMNS: readonly ColumnSpec[] = [
  { name: 'accountId', type: 'utf8' },
  { name: 'name', type: 'utf8' },
  { name: 'displayName', type: 'utf8' },
  { name: 'emailAddress', type: 'utf8' },
  { name: 'active', type: 'bool' },
];

/** Objects Jira identifies by a name (read as that name, written as `{ "name": … }`). */
const NAMED = new Set(['priority', 'status', 'issuetype', 'resolution', 'securitylevel', 'version', 'component', 'statusCategory', 'group']);

/** Custom field types whose values are rich text in REST v3. */
const RICH_TEXT_CUSTOM = new Set(['com.atlassian.jira.plugin.system.customfieldtypes:textarea']);

function typeOf(kind: string | undefined): ColumnType {
  switch (kind) {
    case 'string':
      return 'utf8';
    case 'number':
      return 'float64';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamp';
    case 'user':
      return { struct: USER_COLUMNS };
    default:
      // option, named objects, project, and JSON-shaped values (timetracking, issuelinks…) read as text.
      return 'utf8';
  }
}

/** The Arrow column type of a field. */
export function columnTypeOf(field: JiraField): ColumnType {
  const kind = field.schema?.type;
  if (kind === 'array') return { list: typeOf(field.schema?.items) };
  return typeOf(kind);
}

/** True for a field whose value is an ADF document in REST v3. */
export function isRichText(field: JiraField): boolean {
  const s = field.schema;
  return s?.type === 'string' && (s.system === 'description' || s.system === 'environment' || (s.custom !== undefined && RICH_TEXT_CUSTOM.has(s.custom)));
}

/** Field lookup by id, key and (case-insensitive) name. */
export class FieldIndex {
  readonly #byId = new Map<string, JiraField>();
  readonly #byName = new Map<string, JiraField[]>();

  constructor(readonly fields: readonly JiraField[]) {
    for (const f of fields) {
      this.#byId.set(f.id, f);
      if (f.key) this.#byId.set(f.key, f);
      if (f.name) {
        const k = f.name.toLowerCase();
        this.#byName.set(k, [...(this.#byName.get(k) ?? []), f]);
      }
    }
  }

  /** The field `ref` names (id, key or unique name), or an error that lists near names. */
  resolve(ref: string, where: string): JiraField {
    const byId = this.#byId.get(ref);
    if (byId) return byId;
    const named = this.#byName.get(ref.toLowerCase()) ?? [];
    if (named.length === 1) return named[0]!;
    if (named.length > 1) {
      throw new InvalidArgumentError(`jira: ${where}: field name '${ref}' is ambiguous (${named.map((f) => f.id).join(', ')}); use the field id`, { connector: 'jira', details: { field: ref } });
    }
    const near = this.fields.filter((f) => (f.name ?? '').toLowerCase().includes(ref.toLowerCase().slice(0, 4))).slice(0, 5).map((f) => `${f.id} (${f.name})`);
    throw new InvalidArgumentError(`jira: ${where}: no field '${ref}' on this Jira (GET /rest/api/3/field)${near.length ? `; similar: ${near.join(', ')}` : ''}`, { connector: 'jira', details: { field: ref } });
  }
}

/** One column of a read: the name it has in the table and the field behind it. */
export interface ReadColumn {
  column: string;
  field: JiraField;
}

/** The schema of a read: `key` and `id`, then one column per requested field. */
export function readColumns(index: FieldIndex, refs: readonly string[], where: string): { columns: ReadColumn[]; specs: ColumnSpec[] } {
  const columns = refs.filter((r) => r !== 'key' && r !== 'id').map((ref) => ({ column: ref, field: index.resolve(ref, where) }));
  const specs: ColumnSpec[] = [
    { name: 'key', type: 'utf8', nullable: false },
    { name: 'id', type: 'utf8', nullable: false },
    ...columns.map((c) => ({ name: c.column, type: columnTypeOf(c.field), nullable: true })),
  ];
  return { columns, specs };
}

/** `2024-01-15T10:30:00.000+0000` (Jira's offset has no colon) → Date. */
export function parseJiraDate(text: string): Date | string {
  const iso = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(d.getTime()) ? text : d;
}

function named(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  return v.value ?? v.name ?? v.key ?? JSON.stringify(value);
}

function user(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value === undefined ? null : { accountId: null, name: String(value), displayName: null, emailAddress: null, active: null };
  const u = value as Record<string, unknown>;
  const text = (x: unknown) => (typeof x === 'string' ? x : null);
  return { accountId: text(u.accountId), name: text(u.name), displayName: text(u.displayName), emailAddress: text(u.emailAddress), active: typeof u.active === 'boolean' ? u.active : null };
}

function scalar(kind: string | undefined, value: unknown, flattenAdf: boolean): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'string':
      if (isAdfDocument(value)) return flattenAdf ? adfToText(value) : JSON.stringify(value);
      return typeof value === 'string' ? value : (named(value) as unknown);
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'date':
    case 'datetime':
      return typeof value === 'string' ? parseJiraDate(value) : value;
    case 'user':
      return user(value);
    case 'project':
      return typeof value === 'object' ? ((value as Record<string, unknown>).key ?? named(value)) : value;
    default:
      if (kind && NAMED.has(kind)) return named(value);
      if (kind === 'option' || kind === 'option-with-child') return named(value);
      if (isAdfDocument(value)) return flattenAdf ? adfToText(value) : JSON.stringify(value);
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** The row value of a field's JSON value. */
export function readValue(field: JiraField, value: unknown, flattenAdf: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (field.schema?.type === 'array') {
    const items = Array.isArray(value) ? value : [value];
    return items.map((v) => scalar(field.schema?.items, v, flattenAdf));
  }
  return scalar(field.schema?.type, value, flattenAdf);
}

function dateText(value: unknown, kind: 'date' | 'datetime'): string {
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) return String(value);
  // Jira takes `yyyy-MM-dd` for dates and `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (offset without colon) for datetimes.
  return kind === 'date' ? d.toISOString().slice(0, 10) : d.toISOString().replace('Z', '+0000');
}

function writeScalar(kind: string | undefined, value: unknown, ctx: { richText: boolean; deployment: 'cloud' | 'datacenter' }): unknown {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'bigint' ? value.toString() : value;
  switch (kind) {
    case 'string':
      if (ctx.richText && ctx.deployment === 'cloud' && typeof text === 'string') return textToAdf(text);
      return text;
    case 'number':
      return Number(text);
    case 'date':
    case 'datetime':
      return dateText(text, kind);
    case 'user':
      if (typeof text === 'object') return text;
      return ctx.deployment === 'cloud' ? { accountId: String(text) } : { name: String(text) };
    case 'project':
      return typeof text === 'object' ? text : { key: String(text) };
    case 'option':
      return typeof text === 'object' ? text : { value: String(text) };
    default:
      if (kind && NAMED.has(kind)) return typeof text === 'object' ? text : { name: String(text) };
      return text;
  }
}

/** A row value as the JSON of a field in `POST /rest/api/3/issue/bulk`. */
export function writeValue(field: JiraField, value: unknown, deployment: 'cloud' | 'datacenter'): unknown {
  const ctx = { richText: isRichText(field), deployment };
  if (field.schema?.type === 'array') {
    if (value === null || value === undefined) return [];
    // A list that reached the write as JSON text (a column typed from mixed rows) is still a list.
    const parsed = typeof value === 'string' && value.startsWith('[') ? tryJson(value) : value;
    const items = Array.isArray(parsed) ? parsed : [parsed];
    return items.map((v) => writeScalar(field.schema?.items, v, ctx));
  }
  return writeScalar(field.schema?.type, value, ctx);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
