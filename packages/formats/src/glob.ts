/**
 * Glob matching over object keys. There is one mechanism, core's (picomatch, in
 * `@sparkle/core`'s object-keys): every object store lists by a literal prefix (the part before
 * the first wildcard, pushed down to the store) and matches the rest client-side with it. These
 * names are kept for existing imports.
 */
export { globMatcher as keyMatcher, globPrefix, isGlob, isHiddenKey } from '@sparkle/core';
