/** Provenance: which layer, file and variables supplied each resolved value. */
import type { z } from 'zod';
import { looksSecret, redactValue, REDACTED } from '../secrets.js';
import { isPlainObject } from './merge.js';
import { isDisplayable } from './known-keys.js';
import { formatPath, type PathSegment } from './paths.js';
import type { ConfigLayer, Provenance, ResolvedConfig } from './types.js';

/**
 * Calls `visit` for every leaf of a JSON value: scalars, and empty objects or arrays (which
 * have no leaves of their own but still were supplied by some layer).
 */
export function forEachLeaf(value: unknown, visit: (segments: PathSegment[], leaf: unknown) => void, segments: PathSegment[] = []): void {
  if (Array.isArray(value) && value.length > 0) value.forEach((item, i) => forEachLeaf(item, visit, [...segments, i]));
  else if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) forEachLeaf(item, visit, [...segments, key]);
  } else if (segments.length > 0) visit(segments, value);
}

/** Provenance for every leaf of one layer. */
export function layerProvenance(values: unknown, layer: ConfigLayer, file?: string): Record<string, Provenance> {
  const out: Record<string, Provenance> = {};
  forEachLeaf(values, (segments) => {
    out[formatPath(segments)] = file ? { layer, file } : { layer };
  });
  return out;
}

/**
 * Provenance of a merged value: each leaf comes from the highest layer that has it (arrays and
 * scalars replace whole, so a leaf present in the result and in a higher layer came from it).
 */
export function mergedProvenance(merged: unknown, layers: ReadonlyArray<Record<string, Provenance>>): Record<string, Provenance> {
  const out: Record<string, Provenance> = {};
  forEachLeaf(merged, (segments) => {
    const path = formatPath(segments);
    for (let i = layers.length - 1; i >= 0; i--) {
      const found = layers[i]![path];
      if (found) {
        out[path] = { ...found };
        return;
      }
    }
  });
  return out;
}

/** The provenance of `path` or, for a container path, the files of the leaves under it. */
export function provenanceAt(resolved: Pick<ResolvedConfig, 'provenance'>, path: string): Provenance[] {
  const exact = resolved.provenance[path];
  if (exact) return [exact];
  if (path === '') return Object.values(resolved.provenance);
  return Object.entries(resolved.provenance)
    .filter(([p]) => p.startsWith(`${path}.`) || p.startsWith(`${path}[`))
    .map(([, prov]) => prov);
}

/** One row of `sparkle config show`. */
export interface ProvenanceRow {
  /** Leaf path, `properties.ssl`. */
  path: string;
  /** The value with secrets replaced by `***`. */
  value: unknown;
  layer: ConfigLayer;
  file?: string;
  /** Variable names interpolated into the value (a `:-default` marked as such). */
  envVars: string[];
}

/**
 * Lists every resolved value with where it came from, secrets redacted: fields the schema marks
 * secret, fields named like secrets, any value built from a variable named like a secret
 * (`${DB_PASSWORD}` inside a URL), and any value whose key the schema does not declare (it is
 * not known not to be secret: `pasword`). With a schema, values the schema fills in by default appear
 * with layer `default`.
 *
 * @example
 * const resolved = await loadConfig({ type: 'postgres', env: 'prod' });
 * for (const row of describeProvenance(resolved, PostgresConnection.schema)) {
 *   console.log(`${row.path} = ${JSON.stringify(row.value)}  (${row.layer} ${row.file ?? ''})`);
 * }
 */
export function describeProvenance(resolved: ResolvedConfig, schema?: z.ZodType): ProvenanceRow[] {
  const rows: ProvenanceRow[] = [];
  const seen = new Set<string>();
  forEachLeaf(redactValue(resolved.values, schema), (segments, leaf) => {
    const path = formatPath(segments);
    seen.add(path);
    const prov = resolved.provenance[path];
    const vars = prov?.envVars ?? [];
    const fromSecretVar = vars.some((v) => looksSecret(v.name) && !v.usedDefault);
    // Shown only when the key is known not to be secret: a misspelt `pasword` is not.
    const hidden = fromSecretVar || !isDisplayable(schema, segments);
    rows.push({
      path,
      value: hidden && leaf !== '' && leaf !== null && leaf !== undefined ? REDACTED : leaf,
      layer: prov?.layer ?? 'default',
      ...(prov?.file ? { file: prov.file } : {}),
      envVars: vars.map((v) => (v.usedDefault ? `${v.name} (default)` : v.name)),
    });
  });
  // Values shown are the resolved ones (before schema coercion); keys only the schema's
  // defaults supply are added as layer `default`.
  if (schema) {
    const parsed = schema.safeParse(resolved.values);
    if (parsed.success) {
      forEachLeaf(redactValue(parsed.data, schema), (segments, leaf) => {
        const path = formatPath(segments);
        if (seen.has(path) || [...seen].some((p) => path.startsWith(`${p}.`) || path.startsWith(`${p}[`))) return;
        rows.push({ path, value: leaf, layer: 'default', envVars: [] });
      });
    }
  }
  return rows;
}
