#!/usr/bin/env node
// The `sparkle` executable's stable entry. It is committed (not built) so that installing the
// workspace can link it before anything is built — a bin pointing into dist/ made every fresh
// `pnpm install` warn "Failed to create bin". It only loads the built CLI.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js')) {
    process.stderr.write('sparkle: the CLI is not built yet; run `pnpm build` (or `pnpm exec nx run @sparkle/cli:build`) first\n');
    process.exit(1);
  }
  throw error;
}
