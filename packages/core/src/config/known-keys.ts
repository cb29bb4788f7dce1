/**
 * Which config keys a connector's schema declares. Two rules rest on it:
 *
 * - A key no schema declares is an error (`pasword` → "did you mean `password`?"), at every level
 *   of a declared object. Free-form maps stay free: a `z.record(...)` (JDBC `properties`), an
 *   object that declares no keys at all (a custom connector's default schema), or one marked
 *   with {@link openKeys}.
 * - A value is displayed only when its key is known not to be secret: declared by the schema and
 *   neither marked `secret()`, named like a secret, nor a near-miss of a secret's name.
 */
import { z } from 'zod';
import { isSecretSchema, looksSecret } from '../secrets.js';

/** Schemas whose objects accept any extra key on purpose. Shared across copies of core. */
const OPEN_KEY = Symbol.for('sparkle.open-keys-registry');
const g = globalThis as Record<symbol, unknown>;
const openRegistry: z.core.$ZodRegistry<{ openKeys: true }> =
  (g[OPEN_KEY] as z.core.$ZodRegistry<{ openKeys: true }> | undefined) ?? ((g[OPEN_KEY] = z.registry<{ openKeys: true }>()) as z.core.$ZodRegistry<{ openKeys: true }>);

/**
 * Marks an object schema as accepting keys it does not declare (options passed through as-is to
 * a driver, say). Without it, a key the schema does not declare is a config error.
 *
 * @example
 * ```ts
 * const schema = z.object({ url: z.string(), driverOptions: openKeys(z.looseObject({ timeout: z.number().optional() })) });
 * ```
 */
export function openKeys<T extends z.ZodType>(schema: T): T {
  openRegistry.add(schema, { openKeys: true });
  return schema;
}

type Def = {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
};

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The schemas a value at this node is checked against, through wrappers (optional, default, pipe input…). */
function unwrap(schema: z.ZodType, depth = 0): z.ZodType[] {
  if (depth > 32) return [];
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return def.innerType ? unwrap(def.innerType, depth + 1) : [];
    case 'pipe':
      // The input side is what the file holds; a preprocess (transform) input is opaque.
      return def.in ? unwrap(def.in, depth + 1) : [];
    case 'lazy':
      return def.getter ? unwrap(def.getter(), depth + 1) : [];
    case 'union':
      return (def.options ?? []).flatMap((o) => unwrap(o, depth + 1));
    case 'intersection':
      return [def.left, def.right].filter((s): s is z.ZodType => !!s).flatMap((s) => unwrap(s, depth + 1));
    default:
      return [schema];
  }
}

/** What the schema says about the keys of an object value at a node. */
interface ObjectKeys {
  /** Declared key → its schema (several when a union or intersection declares it twice). */
  declared: Map<string, z.ZodType[]>;
  /** Any key goes (record, open or shape-less object): `valueSchemas` check every value. */
  free: boolean;
  valueSchemas: z.ZodType[];
}

function objectKeys(schemas: z.ZodType[]): ObjectKeys | undefined {
  const declared = new Map<string, z.ZodType[]>();
  const valueSchemas: z.ZodType[] = [];
  let free = false;
  let objects = 0;
  for (const s of schemas) {
    const def = defOf(s);
    if (def.type === 'object') {
      objects++;
      const shape = (s as unknown as z.ZodObject).shape as Record<string, z.ZodType>;
      const names = Object.keys(shape);
      if (names.length === 0 || openRegistry.has(s)) free = true;
      for (const [k, child] of Object.entries(shape)) declared.set(k, [...(declared.get(k) ?? []), child]);
    } else if (def.type === 'record') {
      objects++;
      free = true;
      if (def.valueType) valueSchemas.push(def.valueType);
    } else if (def.type === 'any' || def.type === 'unknown' || def.type === 'custom') {
      // An opaque node: nothing is known about its keys, so none is an error (nor displayable).
      return undefined;
    }
  }
  return objects ? { declared, free, valueSchemas } : undefined;
}

/** One key the schema does not declare. */
export interface UnknownKey {
  /** Path segments from the config root. */
  path: Array<string | number>;
  /** The closest declared key at that level, when one is close enough to be a typo. */
  suggestion?: string;
}

/**
 * Keys of `value` that `schema` does not declare, at every level of declared objects.
 *
 * @example
 * ```ts
 * unknownKeys(z.looseObject({ password: z.string() }), { pasword: 'x' });
 * // → [{ path: ['pasword'], suggestion: 'password' }]
 * ```
 */
export function unknownKeys(schema: z.ZodType, value: unknown): UnknownKey[] {
  const found: UnknownKey[] = [];
  const walk = (schemas: z.ZodType[], v: unknown, path: Array<string | number>, depth: number) => {
    if (depth > 64 || v === null || typeof v !== 'object') return;
    const nodes = schemas.flatMap((s) => unwrap(s));
    if (Array.isArray(v)) {
      const elements = nodes.flatMap((n) => {
        const def = defOf(n);
        return def.type === 'array' && def.element ? [def.element] : [];
      });
      if (elements.length) v.forEach((item, i) => walk(elements, item, [...path, i], depth + 1));
      return;
    }
    const keys = objectKeys(nodes);
    if (!keys) return;
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      const declared = keys.declared.get(k);
      if (declared) walk(declared, item, [...path, k], depth + 1);
      else if (keys.free) walk(keys.valueSchemas, item, [...path, k], depth + 1);
      else {
        const suggestion = closest(k, [...keys.declared.keys()]);
        found.push({ path: [...path, k], ...(suggestion ? { suggestion } : {}) });
      }
    }
  };
  walk([schema], value, [], 0);
  return found;
}

/**
 * True when the value at `path` may be displayed: the schema declares the key (or a free-form
 * map holds it) and nothing marks or names it a secret, nor is it a near-miss of a secret's name
 * (`pasword`). Without a schema only the names speak.
 *
 * @example
 * ```ts
 * isDisplayable(jdbcConfigSchema, ['user']);     // true
 * isDisplayable(jdbcConfigSchema, ['pasword']);  // false: undeclared (and close to `password`)
 * ```
 */
export function isDisplayable(schema: z.ZodType | undefined, path: ReadonlyArray<string | number>): boolean {
  const names = path.filter((p): p is string => typeof p === 'string');
  if (names.some((n) => looksSecret(n) || nearSecretName(n))) return false;
  if (!schema) return true;
  let schemas: z.ZodType[] = [schema];
  for (const segment of path) {
    const nodes = schemas.flatMap((s) => unwrap(s));
    if (nodes.some((n) => isSecretSchema(n))) return false;
    if (typeof segment === 'number') {
      schemas = nodes.flatMap((n) => {
        const def = defOf(n);
        return def.type === 'array' && def.element ? [def.element] : [];
      });
      if (!schemas.length) return false;
      continue;
    }
    const keys = objectKeys(nodes);
    if (!keys) return false;
    const declared = keys.declared.get(segment);
    if (declared) schemas = declared;
    else if (keys.free && keys.valueSchemas.length) schemas = keys.valueSchemas;
    else return false; // undeclared, or under an object that declares nothing: unknown, so hidden
  }
  return !schemas.flatMap((s) => [s, ...unwrap(s)]).some((s) => isSecretSchema(s));
}

const SECRET_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey', 'credential', 'credentials'];

/** `pasword`, `passwrod`, `secert`: one or two edits from a secret's name. */
export function nearSecretName(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (k.length < 5) return false;
  for (const w of SECRET_WORDS) {
    if (editDistance(k, w) <= (w.length >= 8 ? 2 : 1)) return true;
    // A prefixed near-miss: `dbPasword`, `adminPasswrd`.
    if (w.length < 6) continue;
    for (const n of [w.length - 1, w.length, w.length + 1]) {
      if (k.length > n && editDistance(k.slice(-n), w) <= 1) return true;
    }
  }
  return false;
}

/**
 * The candidate closest to `key`, when within a typo's distance (case-insensitive): what a
 * "did you mean" names. Used for config keys, CLI commands and flags.
 *
 * @example
 * ```ts
 * closest('lsit', ['list', 'test', 'copy']); // 'list'
 * closest('zzz', ['list']);                  // undefined
 * ```
 */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(k, c.toLowerCase());
    if (!best || d < best.d) best = { name: c, d };
  }
  if (!best) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(key.length, best.name.length) / 3));
  return best.d <= limit ? best.name : undefined;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
