/**
 * Issue 10 item 6: every TypeScript example in the READMEs compiles under strict settings, as a
 * user would paste it. Each ```ts block of README.md and packages/*\/README.md becomes a module
 * of a temp project whose `@sparkle/*` imports map to the workspace sources; `tsc --noEmit`
 * (strict, noUncheckedIndexedAccess) must report nothing in any block. A block that is a
 * fragment, not a program, says so with `// @readme-fragment` on its first line and is skipped.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(root, 'tools', '.readme-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Block {
  file: string;
  line: number;
  code: string;
}

function tsBlocks(file: string): Block[] {
  const blocks: Block[] = [];
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  let open: { line: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    if (!open && /^```(ts|typescript)\s*$/.test(text)) open = { line: i + 1, body: [] };
    else if (open && /^```\s*$/.test(text)) {
      blocks.push({ file, line: open.line, code: open.body.join('\n') });
      open = undefined;
    } else if (open) open.body.push(text);
    else if (/^```/.test(text)) open = { line: -1, body: [] }; // another language: skipped below
  });
  return blocks.filter((b) => b.line > 0);
}

const readmes = ['README.md', ...readdirSync(join(root, 'packages')).map((p) => `packages/${p}/README.md`).filter((f) => existsSync(join(root, f)))];
const blocks = readmes.flatMap(tsBlocks).filter((b) => !b.code.trimStart().startsWith('// @readme-fragment'));

function tsc(project: string): Promise<string> {
  return new Promise((done) => {
    execFile(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', project, '--pretty', 'false'], { cwd: dir, timeout: 280_000, maxBuffer: 32 * 1024 * 1024 }, (_error, stdout, stderr) => done(`${stdout}${stderr}`));
  });
}

describe('README examples', () => {
  it('there are examples to check', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it('compile under strict tsc', async () => {
    const names = new Map<string, Block>();
    mkdirSync(join(dir, 'examples'), { recursive: true });
    blocks.forEach((block, i) => {
      const name = `examples/${block.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}_${i}.ts`;
      names.set(name, block);
      // `export {}` makes each block a module (top-level await, no clashes between blocks).
      writeFileSync(join(dir, name), `${block.code}\nexport {};\n`);
    });
    const paths: Record<string, string[]> = {};
    for (const pkg of readdirSync(join(root, 'packages'))) {
      const manifest = join(root, 'packages', pkg, 'package.json');
      if (!existsSync(join(root, 'packages', pkg, 'src/index.ts')) || !existsSync(manifest)) continue;
      paths[(JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name] = [join(root, 'packages', pkg, 'src/index.ts')];
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.base.json'),
        compilerOptions: { noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', paths, typeRoots: [join(root, 'node_modules/@types')], types: ['node'] },
        include: ['examples/*.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const output = await tsc(join(dir, 'tsconfig.json'));
    // Only errors inside the examples count: the packages' own sources have their own typecheck.
    const problems = output
      .split('\n')
      .filter((l) => l.startsWith('examples/'))
      .map((l) => {
        const [name, rest] = [l.slice(0, l.indexOf('(')), l.slice(l.indexOf('('))];
        const block = names.get(name);
        const m = /^\((\d+),/.exec(rest);
        return block && m ? `${block.file}:${block.line + Number(m[1])} ${rest.replace(/^\(\d+,\d+\): /, '')}` : l;
      });
    expect(problems).toEqual([]);
  }, 300_000);
});
