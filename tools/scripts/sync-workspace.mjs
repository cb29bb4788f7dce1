// Keeps derived workspace files in step with packages/: tools/package.json depends on every
// published package (so `pnpm sparkle`, the bench and the demo can discover all connectors), and
// every published package carries the repository's LICENSE (a copy owned by this script: npm
// packs a package's own directory only) and lists it in `files`.
// Run after adding a package: `node tools/scripts/sync-workspace.mjs` (the generator calls it too).
import { copyFileSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const toolsPkgPath = join(root, 'tools', 'package.json');
const toolsPkg = JSON.parse(readFileSync(toolsPkgPath, 'utf8'));
const deps = { ...toolsPkg.dependencies };
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const file = join(root, 'packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (pkg.private) continue;
  deps[pkg.name] = 'workspace:^';
  syncLicense(dir, file, pkg);
}
toolsPkg.dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
const next = JSON.stringify(toolsPkg, null, 2) + '\n';
if (next !== readFileSync(toolsPkgPath, 'utf8')) {
  writeFileSync(toolsPkgPath, next);
  console.log('tools/package.json: dependencies updated (run pnpm install)');
} else if (process.argv.includes('--check')) {
  console.log('tools/package.json: in sync');
}

/** Copies the root LICENSE into a published package and lists it in the package's `files`. */
function syncLicense(dir, file, pkg) {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const copy = join(root, 'packages', dir, 'LICENSE');
  if (!existsSync(copy) || readFileSync(copy, 'utf8') !== license) {
    copyFileSync(join(root, 'LICENSE'), copy);
    console.log(`packages/${dir}/LICENSE: copied from the root`);
  }
  if (Array.isArray(pkg.files) && !pkg.files.includes('LICENSE')) {
    // Edit the text, not a re-serialised object: other fields keep their layout.
    const text = readFileSync(file, 'utf8');
    const next = text.replace(/("files": \[\n)((?:\s+"[^"]*",?\n)*?)(\s+)("[^"]*")\n(\s*\])/, (_m, open, middle, indent, last, close) => `${open}${middle}${indent}${last},\n${indent}"LICENSE"\n${close}`);
    if (next !== text) {
      writeFileSync(file, next);
      console.log(`packages/${dir}/package.json: LICENSE added to files`);
    }
  }
}
