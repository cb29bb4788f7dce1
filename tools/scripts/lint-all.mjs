#!/usr/bin/env node
/**
 * The package lint of every published package in ONE process: publint (strict) and
 * "are the types wrong" with the esm-only profile, on the files the package manager would publish.
 *
 * Why: each package's own `lint` target runs two CLIs that each pack the package and load their
 * own copy of TypeScript (about 5 s of CPU per package); 50+ packages made that minutes of CI.
 * Here TypeScript loads once, each package is listed once (`pnpm pack --dry-run --json`, a few at a
 * time) and both checks read the same files from disk. The rules and profile are the CLIs':
 * `publint --strict` and `attw --pack . --profile esm-only` (node10 and node16-cjs resolutions
 * ignored: the packages are ESM-only on purpose, see tsup.config.base.ts).
 *
 *   node tools/scripts/lint-all.mjs                       # every package (after a build)
 *   node tools/scripts/lint-all.mjs --projects=core,connector-s3
 *
 * Needs each package's dist (run the build first). Exit status 1 when any package has a problem.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkPackage, Package } from '@arethetypeswrong/core';
import { problemKindInfo } from '@arethetypeswrong/core/problems';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const projectsArg = process.argv.find((a) => a.startsWith('--projects='))?.slice('--projects='.length);
const wanted = projectsArg ? new Set(projectsArg.split(',').map((p) => (p.trim() === '.' ? basename(process.cwd()) : p.trim().replace(/^@sparkle\//, '')))) : undefined;
/** `attw --profile esm-only`: these resolution modes are not checked. */
const IGNORED_RESOLUTIONS = new Set(['node10', 'node16-cjs']);
const PACK_CONCURRENCY = 4;

const folders = readdirSync(join(root, 'packages')).filter((folder) => {
  const manifest = join(root, 'packages', folder, 'package.json');
  return existsSync(manifest) && !JSON.parse(readFileSync(manifest, 'utf8')).private && (!wanted || wanted.has(folder));
});
if (wanted) {
  const unknown = [...wanted].filter((w) => !folders.includes(w));
  if (unknown.length) {
    console.error(`lint-all: no published package folder named ${unknown.join(', ')} under packages/`);
    process.exit(2);
  }
}

/** The paths (relative to the package) that `pnpm pack` would put in the tarball. */
async function publishedFiles(dir) {
  const { stdout } = await run('pnpm', ['pack', '--dry-run', '--json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout).files.map((f) => f.path);
}

/** Problems of one package, as printable lines (empty when clean). */
async function lintPackage(folder) {
  const dir = join(root, 'packages', folder);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!existsSync(join(dir, 'dist'))) return [`no dist/: build the package first (pnpm exec nx run ${folder}:build)`];
  const paths = await publishedFiles(dir);
  const contents = new Map(paths.map((p) => [p, readFileSync(join(dir, p))]));
  const lines = [];

  const { messages, pkg } = await publint({
    pkgDir: dir,
    strict: true,
    pack: { files: [...contents].map(([p, data]) => ({ name: join(dir, p), data: new Uint8Array(data) })) },
  });
  for (const message of messages) lines.push(`publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);

  const files = Object.fromEntries([...contents].map(([p, data]) => [`/node_modules/${manifest.name}/${p}`, new Uint8Array(data)]));
  const analysis = await checkPackage(new Package(files, manifest.name, manifest.version));
  if (!analysis.types) lines.push('attw: the package has no types');
  else {
    for (const problem of analysis.problems) {
      if ('resolutionKind' in problem && IGNORED_RESOLUTIONS.has(problem.resolutionKind)) continue;
      const where = 'entrypoint' in problem ? ` at "${problem.entrypoint}"` : '';
      const mode = 'resolutionKind' in problem ? ` (${problem.resolutionKind})` : '';
      lines.push(`attw ${problem.kind}${where}${mode}: ${problemKindInfo[problem.kind]?.description ?? ''}`);
    }
  }
  return lines;
}

let failed = 0;
const queue = [...folders];
async function worker() {
  for (let folder = queue.shift(); folder; folder = queue.shift()) {
    let lines;
    try {
      lines = await lintPackage(folder);
    } catch (error) {
      lines = [`could not be linted: ${error instanceof Error ? error.message : String(error)}`];
    }
    if (lines.length) {
      failed++;
      console.log(`✗ ${folder}\n${lines.map((l) => `    ${l}`).join('\n')}`);
    } else console.log(`✓ ${folder}`);
  }
}
await Promise.all(Array.from({ length: PACK_CONCURRENCY }, worker));
console.log(`lint-all: ${folders.length - failed} of ${folders.length} package(s) clean`);
process.exit(failed ? 1 : 0);
