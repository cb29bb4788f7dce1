// Keeps the package.json fields that must agree across the workspace in one place:
//  - every package.json (root, tools, packages/*): `engines.node` (the supported Node versions);
//  - every published package: one module format, ESM only (type, main, types, exports, sideEffects,
//    and the lint script that checks the result with publint and attw's esm-only profile);
//  - every published package carries the repository's LICENSE (a copy owned by this script: npm
//    packs a package's own directory only) and lists it in `files`;
//  - tools/package.json depends on every published package (so `pnpm sparkle`, the bench and the
//    demo can discover all connectors).
// Run after adding a package or changing a policy below: `pnpm sync` (`node tools/scripts/sync-workspace.mjs`).
// `--check` writes nothing and exits 1 when a file is out of step (tools/test/sync-workspace.test.ts runs it).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Node >= 22.12: `require()` of an ES module works without a flag from 22.12 on, which is what lets
 * every package ship ESM only (one copy of each module whether it is imported or required).
 */
export const NODE_ENGINES = '>=22.12';

/** The ESM-only entry points every published package exposes (`dist/index.js` and its types). */
export const ESM_ENTRY = { types: './dist/index.d.ts', default: './dist/index.js' };

export const LINT_SCRIPT = 'publint --strict && attw --pack . --profile esm-only';

/** Sets `key` on `obj`, keeping its position when it exists (so diffs stay small). */
function setField(obj, key, value) {
  obj[key] = value;
  return obj;
}

/** The fields shared by every package.json of the workspace. */
export function normalizeCommon(pkg) {
  return setField(pkg, 'engines', { ...pkg.engines, node: NODE_ENGINES });
}

/**
 * The fields of a published package: ESM only. Subpath exports other than `.` and
 * `./package.json` are kept as they are.
 */
export function normalizePublished(pkg) {
  normalizeCommon(pkg);
  setField(pkg, 'type', 'module');
  setField(pkg, 'main', ESM_ENTRY.default);
  delete pkg.module;
  setField(pkg, 'types', ESM_ENTRY.types);
  const rest = Object.fromEntries(Object.entries(typeof pkg.exports === 'object' && pkg.exports ? pkg.exports : {}).filter(([k]) => k !== '.' && k !== './package.json'));
  setField(pkg, 'exports', { '.': { ...ESM_ENTRY }, ...rest, './package.json': './package.json' });
  if (Array.isArray(pkg.sideEffects)) setField(pkg, 'sideEffects', pkg.sideEffects.filter((f) => !/\.c[jt]s$/.test(f)));
  if (pkg.scripts?.lint !== undefined) pkg.scripts.lint = LINT_SCRIPT;
  if (Array.isArray(pkg.files) && !pkg.files.includes('LICENSE')) pkg.files = [...pkg.files, 'LICENSE'];
  return pkg;
}

function stringify(pkg) {
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** Every change the policy asks for, as `{ file, next }`; writes them unless `check`. */
export function syncWorkspace(root, { check = false } = {}) {
  const changes = [];
  const update = (file, transform) => {
    const before = readFileSync(file, 'utf8');
    const next = stringify(transform(JSON.parse(before)));
    if (next !== before) changes.push({ file, next });
  };
  const published = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (!pkg.private) {
      published.push(pkg.name);
      const license = readFileSync(join(root, 'LICENSE'), 'utf8');
      const copy = join(root, 'packages', dir, 'LICENSE');
      if (!existsSync(copy) || readFileSync(copy, 'utf8') !== license) changes.push({ file: copy, next: license });
    }
    update(file, pkg.private ? normalizeCommon : normalizePublished);
  }
  update(join(root, 'package.json'), normalizeCommon);
  update(join(root, 'tools', 'package.json'), (toolsPkg) => {
    const deps = { ...toolsPkg.dependencies };
    for (const name of published) deps[name] = 'workspace:^';
    toolsPkg.dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
    return normalizeCommon(toolsPkg);
  });
  if (!check) for (const { file, next } of changes) writeFileSync(file, next);
  return changes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(import.meta.dirname, '..', '..');
  const check = process.argv.includes('--check');
  const changes = syncWorkspace(root, { check });
  const names = changes.map((c) => c.file.slice(root.length + 1));
  if (check && changes.length) {
    console.error(`out of step with tools/scripts/sync-workspace.mjs: ${names.join(', ')}\nfix: pnpm sync (then pnpm install if tools/package.json changed)`);
    process.exit(1);
  }
  if (changes.length) console.log(`updated: ${names.join(', ')} (run pnpm install if tools/package.json changed)`);
  else console.log('workspace package.json files: in sync');
}
