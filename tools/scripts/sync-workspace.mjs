// Keeps derived workspace files in step with packages/: tools/package.json depends on every
// published package (so `pnpm sparkle`, the bench and the demo can discover all connectors).
// Run after adding a package: `node tools/scripts/sync-workspace.mjs` (the generator calls it too).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
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
}
toolsPkg.dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
const next = JSON.stringify(toolsPkg, null, 2) + '\n';
if (next !== readFileSync(toolsPkgPath, 'utf8')) {
  writeFileSync(toolsPkgPath, next);
  console.log('tools/package.json: dependencies updated (run pnpm install)');
} else if (process.argv.includes('--check')) {
  console.log('tools/package.json: in sync');
}
