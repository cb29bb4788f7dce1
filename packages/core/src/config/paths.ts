/** JSON path formatting shared by provenance keys and error messages. */
import { relative, isAbsolute } from 'node:path';

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Formats path segments the way provenance is keyed: `properties.ssl`, `hosts[0]`,
 * `headers["x.y"]`. The root is the empty string.
 */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** The path as shown to users: `$.properties.ssl`, `$.hosts[0]`, or `$` for the root. */
export function displayJsonPath(segments: readonly PropertyKey[] | string): string {
  const path = typeof segments === 'string' ? segments : formatPath(segments);
  if (!path) return '$';
  return path.startsWith('[') ? `$${path}` : `$.${path}`;
}

/** A file path as shown in messages: relative to the working directory when inside it. */
export function displayFile(file: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
