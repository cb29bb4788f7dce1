/**
 * Secret fields and redaction.
 *
 * A connector marks a field secret in its zod schema with `secret(z.string())`. Core then knows
 * which resolved values are secrets and scrubs them from everything it prints: `toString()`,
 * errors, logs, lineage facets, CLI output, and Spark options such as a JDBC URL with a password.
 */
import { z } from 'zod';

export const REDACTED = '***';

/** Registry of schemas whose values are secrets. Shared across copies of core via Symbol.for. */
const REGISTRY_KEY = Symbol.for('sparkle.secret-registry');
const g = globalThis as Record<symbol, unknown>;
export const secretRegistry: z.core.$ZodRegistry<{ secret: true }> =
  (g[REGISTRY_KEY] as z.core.$ZodRegistry<{ secret: true }> | undefined) ??
  (g[REGISTRY_KEY] = z.registry<{ secret: true }>()) as z.core.$ZodRegistry<{ secret: true }>;

/**
 * Marks a schema as holding a secret (password, token, key).
 * @example
 * const schema = z.object({ user: z.string(), password: secret(z.string()).optional() });
 */
export function secret<T extends z.ZodType>(schema: T): T {
  secretRegistry.add(schema, { secret: true });
  return schema;
}

export function isSecretSchema(schema: z.ZodType): boolean {
  return secretRegistry.has(schema);
}

type Def = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; in?: z.ZodType; out?: z.ZodType; left?: z.ZodType; right?: z.ZodType };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Children of a schema, keyed by property name (`*` for any key or index). */
function children(schema: z.ZodType): Array<[string | null, z.ZodType]> {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return Object.entries((schema as unknown as z.ZodObject).shape as Record<string, z.ZodType>);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return def.innerType ? [[null, def.innerType]] : [];
    case 'pipe':
      return [def.in, def.out].filter(Boolean).map((s) => [null, s as z.ZodType]);
    case 'record':
      return def.valueType ? [['*', def.valueType]] : [];
    case 'array':
      return def.element ? [['*', def.element]] : [];
    case 'union':
      return (def.options ?? []).map((s) => [null, s]);
    case 'intersection':
      return [def.left, def.right].filter(Boolean).map((s) => [null, s as z.ZodType]);
    default:
      return [];
  }
}

/**
 * JSON paths (arrays of keys, `*` for any) of the secret fields a schema declares.
 * Fields named like secrets (password, token, secret, apiKey, …) count even when unmarked,
 * so a custom connector that forgets `secret()` still never prints its password.
 */
export function secretPaths(schema: z.ZodType): string[][] {
  const out: string[][] = [];
  const seen = new Set<z.ZodType>();
  const walk = (s: z.ZodType, path: string[]) => {
    if (isSecretSchema(s)) {
      out.push(path);
      return;
    }
    if (seen.has(s)) return;
    seen.add(s);
    for (const [key, child] of children(s)) walk(child, key === null ? path : [...path, key]);
    seen.delete(s);
  };
  walk(schema, []);
  return out;
}

const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|sas|signature|client[-_]?secret|auth)$/i;

/** True for a key whose name says it holds a secret. */
export function looksSecret(key: string): boolean {
  return SECRET_NAME.test(key.replace(/[^A-Za-z0-9_-]/g, ''));
}

function matches(pattern: string[], path: string[]): boolean {
  return pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

/**
 * A deep copy of `value` with secret fields replaced by `***`: fields the schema marks, and any
 * field whose name looks like a secret. Strings elsewhere are scrubbed of the secret values too
 * (a password inside a URL).
 */
export function redactValue<T>(value: T, schema?: z.ZodType, extraSecrets: readonly string[] = []): T {
  const patterns = schema ? secretPaths(schema) : [];
  const secrets = [...collectSecrets(value, schema), ...extraSecrets];
  const walk = (v: unknown, path: string[]): unknown => {
    const key = path[path.length - 1];
    if (path.length && (patterns.some((p) => matches(p, path)) || (key !== undefined && looksSecret(key)))) {
      return v === undefined || v === null || v === '' ? v : REDACTED;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, String(i)]));
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, walk(item, [...path, k])]));
    }
    if (typeof v === 'string') return redactText(v, secrets);
    return v;
  };
  return walk(value, []) as T;
}

/** The secret string values found in `value` (by schema marks and by key names). */
export function collectSecrets(value: unknown, schema?: z.ZodType): string[] {
  const patterns = schema ? secretPaths(schema) : [];
  const found = new Set<string>();
  const walk = (v: unknown, path: string[]) => {
    const key = path[path.length - 1];
    const isSecret = path.length > 0 && (patterns.some((p) => matches(p, path)) || (key !== undefined && looksSecret(key)));
    if (isSecret && (typeof v === 'string' || typeof v === 'number') && String(v).length > 0) {
      found.add(String(v));
      return;
    }
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, String(i)]));
    else if (v && typeof v === 'object' && !(v instanceof Date)) {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) walk(item, [...path, k]);
    }
  };
  walk(value, []);
  return [...found];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Secrets at least this long are removed wherever they occur, even inside a longer word: a
 * random 8+ character value does not collide with ordinary text. Shorter ones (a test password
 * `x`, a PIN) are removed only as whole tokens, so `exist` never becomes `e***ist`.
 */
export const SUBSTRING_SECRET_MIN_LENGTH = 8;

/**
 * Removes secrets from free text: each known secret value (also URL-encoded), passwords in URL
 * user-info (`scheme://user:pw@host`), and `password=`/`token=`-style parameters in connection
 * strings and JDBC URLs. Values are replaced whole; see {@link SUBSTRING_SECRET_MIN_LENGTH}.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const values = [...new Set(secrets.flatMap((s) => (s.length >= 1 ? [s, encodeURIComponent(s)] : [])))].sort((a, b) => b.length - a.length);
  for (const s of values) {
    const body = escapeRegExp(s);
    const pattern = s.length >= SUBSTRING_SECRET_MIN_LENGTH ? body : `(?<![A-Za-z0-9])${body}(?![A-Za-z0-9])`;
    out = out.replace(new RegExp(pattern, 'g'), REDACTED);
  }
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi, `$1${REDACTED}$3`);
  out = out.replace(
    /([?&;\s]|^)((?:password|passwd|pwd|token|secret|access_?key|secret_?key|api_?key|accountkey|sharedaccesskey|sig)\s*=\s*)([^&;\s'"]+)/gi,
    `$1$2${REDACTED}`,
  );
  return out;
}

/**
 * Scrubs secrets from a whole error chain in place: the message, stack and every string
 * property (drivers put the server's text in `detail`, `hint`, `where`, `query`, …) of the error,
 * its `cause`s and an AggregateError's `errors`. Wrapping a driver error keeps it as `cause`, so
 * without this `err.cause.message` or `util.inspect(err)` could still print a secret the server
 * echoed. Returns the same error.
 */
export function scrubErrorChain<T>(error: T, secrets: readonly string[]): T {
  const seen = new Set<object>();
  const visit = (e: unknown, depth: number): void => {
    if (!e || typeof e !== 'object' || seen.has(e) || depth > 8) return;
    seen.add(e);
    const record = e as Record<string, unknown>;
    for (const key of new Set([...Object.getOwnPropertyNames(e), 'message', 'stack'])) {
      if (key === 'cause' || key === 'errors') continue;
      let value: unknown;
      try {
        value = record[key];
      } catch {
        continue;
      }
      if (typeof value !== 'string') continue;
      const clean = redactText(value, secrets);
      if (clean === value) continue;
      try {
        Object.defineProperty(e, key, { value: clean, writable: true, configurable: true, enumerable: Object.prototype.propertyIsEnumerable.call(e, key) });
      } catch {
        // A frozen or exotic error object: nothing we can change; it stays wrapped.
      }
    }
    visit(record.cause, depth + 1);
    if (Array.isArray(record.errors)) for (const inner of record.errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return error;
}
