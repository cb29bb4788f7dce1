/**
 * A freshly scaffolded connector must pass its family's conformance suite before anyone edits
 * it: this file generates one package per family into a temporary workspace layout at
 * collection time and imports their generated test files, whose `testConnector(...)` and
 * capability-suite calls (`testCatalog`, `testMlRegistry`, `testNotifier`, `testDirectory`,
 * `testObjectStore`, `testStream`, `testDocumentStore`)
 * register their tests here, against the in-memory backends the generated tests set up; and
 * all generated sources and tests are type-checked in one `tsc` run against the workspace.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FAMILIES, generateConnector } from '../new-connector.ts';

const workspace = resolve(import.meta.dirname, '../../..');
const root = mkdtempSync(join(tmpdir(), 'sparkle-gen-conformance-'));
mkdirSync(join(root, '.changeset'));
for (const pkg of ['core', 'engine-local']) {
  mkdirSync(join(root, 'packages', pkg), { recursive: true });
  copyFileSync(join(workspace, 'packages', pkg, 'package.json'), join(root, 'packages', pkg, 'package.json'));
}
for (const file of ['tsconfig.base.json', 'tsup.config.base.ts', 'vitest.shared.ts']) copyFileSync(join(workspace, file), join(root, file));
mkdirSync(join(root, 'node_modules'));
symlinkSync(join(workspace, 'packages/core/node_modules/zod'), join(root, 'node_modules/zod'));
symlinkSync(join(workspace, 'node_modules/vitest'), join(root, 'node_modules/vitest'));
symlinkSync(join(workspace, 'packages/engine-local/node_modules/apache-arrow'), join(root, 'node_modules/apache-arrow'));
// The object-store family's test reads and writes files through the real file formats.
mkdirSync(join(root, 'node_modules/@sparkle'));
symlinkSync(join(workspace, 'packages/formats'), join(root, 'node_modules/@sparkle/formats'));

/** The families whose template and suite are their own (the rest share the plain template, covered by api's). */
const families = Object.entries(FAMILIES)
  .filter(([, f]) => f.suite)
  .map(([name]) => name);
const slugs = families.map((family) => {
  const name = `gen_${family}`;
  generateConnector(
    { name, family, aliases: [`gen${family.replace(/_/g, '')}x`], port: family === 'api' ? undefined : 7001, jdbcDriver: family === 'jdbc' ? 'com.example.gen.Driver' : undefined },
    { root },
  );
  return name.replace(/_/g, '-');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generated packages, one per family', () => {
  it(`type-check (${families.join(', ')})`, async () => {
    const tsconfig = join(root, 'tsconfig.check.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(workspace, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          typeRoots: [join(workspace, 'node_modules/@types')],
          baseUrl: workspace,
          paths: {
            '@sparkle/core': ['packages/core/src/index.ts'],
            '@sparkle/testkit': ['packages/testkit/src/index.ts'],
            '@sparkle/engine-local': ['packages/engine-local/src/index.ts'],
            '@sparkle/formats': ['packages/formats/src/index.ts'],
          },
        },
        include: slugs.flatMap((slug) => [join(root, `packages/connector-${slug}/src`), join(root, `packages/connector-${slug}/test`)]),
      }),
    );
    const output = await new Promise<string>((done) =>
      execFile(join(workspace, 'node_modules/.bin/tsc'), ['-p', tsconfig], { timeout: 240_000 }, (_error, stdout, stderr) => done(stdout + stderr)),
    );
    // Only errors in the generated files count: the workspace sources are checked by their owners.
    const generatedErrors = output.split('\n').filter((line) => slugs.some((slug) => line.includes(`connector-${slug}/`)));
    expect(generatedErrors, output).toEqual([]);
  }, 240_000);

  it('every family with its own template has a capability or tabular suite', () => {
    expect(families.sort()).toEqual(['api', 'catalog', 'cloud_storage', 'directory', 'jdbc', 'ml', 'nosql', 'notify', 'streaming', 'table_format', 'warehouse']);
  });
});

for (const slug of slugs) await import(pathToFileURL(join(root, `packages/connector-${slug}/test/${slug}.test.ts`)).href);
