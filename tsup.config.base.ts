import type { Options } from 'tsup';

/**
 * The one tsup configuration every package shares: ESM + CJS + declarations for both,
 * Node 20 target, no bundling of dependencies. Packages pass their own entry points.
 */
export function packageBuild(entry: Record<string, string> | string[] = ['src/index.ts'], extra: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
    ...extra,
  };
}
