/**
 * RFC 6901 JSON Pointer lookup (`/data/items`, `/pageInfo/endCursor`, `/a~1b/0`).
 *
 * Hand-written on purpose: core depends on zod alone, and the part of RFC 6901 the HTTP layer
 * needs (resolve a pointer against a parsed JSON document; no URI-fragment form, no mutation) is
 * a dozen lines, smaller than any dependency that would carry it.
 */
import { InvalidArgumentError } from '../errors.js';

/** Splits a pointer into unescaped reference tokens (`~1` → `/`, then `~0` → `~`, as §4 orders). */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new InvalidArgumentError(`JSON pointer "${pointer}" must be empty or start with "/" (RFC 6901), e.g. "/data/items"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw new InvalidArgumentError(`JSON pointer "${pointer}" has an invalid escape in "${token}" (only ~0 and ~1 are allowed)`);
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/**
 * The value `pointer` names inside `document`, or `undefined` when any step is missing.
 * Array steps must be decimal indexes without leading zeros (`-`, "past the end", names nothing).
 * @example
 * resolveJsonPointer({ data: { items: [1, 2] } }, '/data/items/1'); // 2
 */
export function resolveJsonPointer(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const token of parseJsonPointer(pointer)) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}
