import type { Options } from 'tsup';

/**
 * The one tsup configuration every package shares: ESM only + declarations, Node 22 target,
 * no bundling of dependencies. Packages pass their own entry points.
 *
 * One format because Node >= 22.12 `require()`s ES modules: a CommonJS app that requires
 * `@sparkle/core` and a connector that discovery loads with `import()` then share one copy of core
 * (with a CJS build beside the ESM one they got two, and `instanceof SparkleError` failed across
 * them). The package.json fields that match this (exports, main, types) are kept by
 * tools/scripts/sync-workspace.mjs. Nothing here may use top-level await: `require()` refuses an
 * ES module graph that has it (tools/test/esm-only.test.ts checks the built dist).
 */
export function packageBuild(entry: Record<string, string> | string[] = ['src/index.ts'], extra: Options = {}): Options {
  return {
    entry,
    format: ['esm'],
    // Declarations come from one workspace-wide program (tools/scripts/typecheck-all.mjs
    // --emit-declarations, run by `pnpm build`), not from a TypeScript program per package.
    dts: false,
    sourcemap: true,
    clean: true,
    target: 'node22',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
    ...extra,
  };
}
