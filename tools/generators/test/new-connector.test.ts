/**
 * The connector generator, run against a temporary copy of the workspace layout (never the
 * repository itself). The generated sources are then imported and type-checked for real, so a
 * template that stops compiling or registering fails here.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, unregisterConnection } from '@sparkle/core';
import { BANNER, GeneratorError, generateConnector, renderTemplate, runCli, tsLiteral } from '../new-connector.ts';
import { connectorMetaSource, normalizePublished } from '../../scripts/sync-workspace.mjs';

const workspace = resolve(import.meta.dirname, '../../..');
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sparkle-gen-'));
  mkdirSync(join(root, '.changeset'));
  // Just enough of the layout: core (the zod range is read from it), engine-local (the arrow
  // range) and postgres (claims names).
  for (const pkg of ['core', 'engine-local', 'connector-postgres']) {
    mkdirSync(join(root, 'packages', pkg), { recursive: true });
    copyFileSync(join(workspace, 'packages', pkg, 'package.json'), join(root, 'packages', pkg, 'package.json'));
  }
  for (const file of ['tsconfig.base.json', 'tsup.config.base.ts', 'vitest.shared.ts']) copyFileSync(join(workspace, file), join(root, file));
  // Bare imports of the generated code resolve from here (workspace packages via vitest aliases).
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(join(workspace, 'packages/core/node_modules/zod'), join(root, 'node_modules/zod'));
  symlinkSync(join(workspace, 'node_modules/vitest'), join(root, 'node_modules/vitest'));
  symlinkSync(join(workspace, 'packages/engine-local/node_modules/apache-arrow'), join(root, 'node_modules/apache-arrow'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  unregisterConnection('acme_db');
  unregisterConnection('widgets');
});

describe('generateConnector', () => {
  it('scaffolds a JDBC connector package and its changeset', () => {
    const result = generateConnector(
      { name: 'acme-db', family: 'jdbc', aliases: ['acme', 'acmedb'], jdbcDriver: 'com.acme.jdbc.Driver', port: 7000, description: 'Acme DB 9' },
      { root },
    );
    expect(result.packageName).toBe('@sparkle/connector-acme-db');
    expect(result.files.map((f) => f.path)).toEqual([
      'packages/connector-acme-db/package.json',
      'packages/connector-acme-db/tsconfig.json',
      'packages/connector-acme-db/tsup.config.ts',
      'packages/connector-acme-db/vitest.config.ts',
      'packages/connector-acme-db/README.md',
      'packages/connector-acme-db/src/index.ts',
      'packages/connector-acme-db/src/meta.ts',
      'packages/connector-acme-db/src/connection.ts',
      'packages/connector-acme-db/test/acme-db.test.ts',
      '.changeset/connector-acme-db.md',
    ]);
    for (const file of result.files) expect(readFileSync(join(root, file.path), 'utf8')).toBe(file.content);

    const pkg = JSON.parse(readFileSync(join(root, 'packages/connector-acme-db/package.json'), 'utf8'));
    expect(pkg.name).toBe('@sparkle/connector-acme-db');
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.sideEffects).toEqual(['./dist/index.js']);
    // The template already has the fields tools/scripts/sync-workspace.mjs keeps for every package.
    expect(normalizePublished(structuredClone(pkg))).toEqual(pkg);
    // Capabilities are not declared: core derives them from the class.
    expect(pkg.sparkle).toEqual({ type: 'acme_db', aliases: ['acme', 'acmedb'], family: 'jdbc', core: '^0.1.0' });
    // src/meta.ts is what `pnpm sync` would write from that package.json, and the index registers with it.
    const meta = readFileSync(join(root, 'packages/connector-acme-db/src/meta.ts'), 'utf8');
    expect(meta).toBe(connectorMetaSource(pkg, 'connector-acme-db'));
    const index = readFileSync(join(root, 'packages/connector-acme-db/src/index.ts'), 'utf8');
    expect(index).toContain('registerConnection(meta, AcmeDbConnection');
    expect(index).toContain("provideLocalEngine(() => import('@sparkle/engine-local')");
    expect(pkg.dependencies).toEqual({ '@sparkle/core': 'workspace:^', '@sparkle/engine-local': 'workspace:^', zod: JSON.parse(readFileSync(join(workspace, 'packages/core/package.json'), 'utf8')).dependencies.zod });
    expect(pkg.devDependencies).toEqual({ '@sparkle/testkit': 'workspace:^' });

    const changeset = readFileSync(join(root, '.changeset/connector-acme-db.md'), 'utf8');
    expect(changeset.startsWith('---\n"@sparkle/connector-acme-db": minor\n---\n')).toBe(true);
  });

  it('starts every file but package.json (and the changeset, whose frontmatter must come first) with the banner', () => {
    const dir = join(root, 'packages/connector-acme-db');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).not.toContain('Scaffolded');
    for (const rel of ['tsconfig.json', 'tsup.config.ts', 'vitest.config.ts', 'src/index.ts', 'src/connection.ts', 'test/acme-db.test.ts']) {
      expect(readFileSync(join(dir, rel), 'utf8').split('\n')[0], rel).toBe(`// ${BANNER}`);
    }
    expect(readFileSync(join(dir, 'README.md'), 'utf8').split('\n')[0]).toBe(`<!-- ${BANNER} -->`);
    expect(readFileSync(join(root, '.changeset/connector-acme-db.md'), 'utf8')).toContain(`<!-- ${BANNER} -->`);
  });

  it('the generated connector registers, validates config and maps to Spark', async () => {
    await import(pathToFileURL(join(root, 'packages/connector-acme-db/src/index.ts')).href);
    for (const name of ['acme_db', 'acme', 'acmedb', 'acme-db']) {
      await using conn = await getConnection<import('@sparkle/core').JDBCConnection>(name, {
        config: { host: 'db.internal', database: 'app', user: 'app', password: 'pw-123456' },
        dotenv: false,
        variables: {},
      });
      expect(conn.type).toBe('acme_db');
      const spec = conn.sparkRead('orders', {});
      expect(spec.options).toMatchObject({ url: 'jdbc:acme_db://db.internal:7000/app', driver: 'com.acme.jdbc.Driver' });
      expect(String(conn)).not.toContain('pw-123456');
    }
    await expect(getConnection('acme_db', { config: { host: 'h', port: 'not-a-port' }, dotenv: false, variables: {} })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('an api connector extends APIConnection and health-checks its endpoint', async () => {
    generateConnector({ name: 'widgets', family: 'api', port: 8443 }, { root });
    const source = readFileSync(join(root, 'packages/connector-widgets/src/connection.ts'), 'utf8');
    expect(source).toContain('export class WidgetsConnection extends APIConnection<WidgetsConfig>');
    await import(pathToFileURL(join(root, 'packages/connector-widgets/src/index.ts')).href);
    await using conn = await getConnection('widgets', { config: { baseUrl: 'http://127.0.0.1:1/v1' }, dotenv: false, variables: {} });
    const report = await conn.check({ timeoutMs: 3000 });
    expect(report.ok).toBe(false);
    expect(report.failedTier).toBe('network');
  });

  it('the generated sources and tests type-check against the workspace', async () => {
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
          },
        },
        include: [join(root, 'packages/connector-acme-db/src'), join(root, 'packages/connector-acme-db/test'), join(root, 'packages/connector-widgets/src'), join(root, 'packages/connector-widgets/test')],
      }),
    );
    const { code, output } = await new Promise<{ code: number; output: string }>((done) =>
      execFile(join(workspace, 'node_modules/.bin/tsc'), ['-p', tsconfig], { timeout: 120_000 }, (error, stdout, stderr) =>
        done({ code: error ? 1 : 0, output: stdout + stderr }),
      ),
    );
    // Only errors in the generated files count: the workspace sources are checked by their owners.
    const generatedErrors = output.split('\n').filter((line) => line.includes('connector-acme-db/') || line.includes('connector-widgets/'));
    expect(generatedErrors, output).toEqual([]);
    expect(typeof code).toBe('number');
  }, 120_000);

  it('never overwrites: a second run for the same name fails and changes nothing', () => {
    const before = readFileSync(join(root, 'packages/connector-acme-db/src/index.ts'), 'utf8');
    expect(() => generateConnector({ name: 'acme_db', family: 'jdbc' }, { root })).toThrow(/packages\/connector-acme-db already exists/);
    expect(readFileSync(join(root, 'packages/connector-acme-db/src/index.ts'), 'utf8')).toBe(before);
  });

  it('refuses bad names, unknown families, taken names and bad driver names', () => {
    const bad: Array<[Parameters<typeof generateConnector>[0], RegExp]> = [
      [{ name: 'Bad Name' }, /Invalid connector name/],
      [{ name: '../escape' }, /Invalid connector name/],
      [{ name: '9lives' }, /Invalid connector name/],
      [{ name: 'a__b' }, /Invalid connector name/],
      [{ name: 'x'.repeat(41) }, /Invalid connector name/],
      [{ name: 'fine', family: 'quantum' }, /Unknown family 'quantum'/],
      [{ name: 'fine', aliases: ['postgresql'] }, /'postgresql' is already registered by @sparkle\/connector-postgres/],
      [{ name: 'postgresql' }, /'postgresql' is already registered by @sparkle\/connector-postgres/],
      [{ name: 'fine', aliases: ['fine'] }, /the connector's own name/],
      [{ name: 'fine', driver: '../../etc/passwd' }, /Invalid driver package name/],
      [{ name: 'fine', jdbcDriver: 'com.x;rm -rf' }, /Invalid JDBC driver class/],
      [{ name: 'fine', port: 70000 }, /Invalid port/],
      [{ name: 'fine', description: "it's" }, /may not contain quotes/],
    ];
    for (const [spec, message] of bad) {
      expect(() => generateConnector(spec, { root }), JSON.stringify(spec)).toThrow(GeneratorError);
      expect(() => generateConnector(spec, { root }), JSON.stringify(spec)).toThrow(message);
    }
    expect(existsSync(join(root, 'packages/connector-fine'))).toBe(false);
  });

  it('the command line: --dry-run writes nothing; errors exit 2', () => {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s) };
    expect(runCli(['gizmo', '--family', 'nosql', '--aliases', 'gz', '--driver', 'gizmo-client', '--root', root, '--dry-run'], io)).toBe(0);
    expect(out).toContain('--- packages/connector-gizmo/src/connection.ts');
    expect(out).toContain("await import('gizmo-client')");
    expect(existsSync(join(root, 'packages/connector-gizmo'))).toBe(false);
    expect(runCli(['Nope!', '--root', root], io)).toBe(2);
    expect(err).toContain("Invalid connector name 'nope!'");
    expect(runCli([], io)).toBe(2);
  });
});

describe('template helpers', () => {
  it('renderTemplate fills values and sections, and refuses unknown placeholders', () => {
    expect(renderTemplate('a {{x}}{{#f}} yes{{/f}}{{^f}} no{{/f}}', { x: '1', f: '' })).toBe('a 1 no');
    expect(renderTemplate('{{#f}}\nline\n{{/f}}\nend', { f: 'y' })).toBe('line\nend');
    expect(() => renderTemplate('{{missing}}', {}, 't.tpl')).toThrow('t.tpl: no value for {{missing}}');
  });

  it('tsLiteral writes house-style TypeScript', () => {
    expect(tsLiteral(['a', "b'c"])).toBe("['a', 'b\\'c']");
    expect(tsLiteral({ host: 'h', port: 1, 'a-b': true })).toBe("{ host: 'h', port: 1, 'a-b': true }");
    expect(tsLiteral({ a: 1 }, '', true)).toBe('{\n  a: 1,\n}');
  });
});
