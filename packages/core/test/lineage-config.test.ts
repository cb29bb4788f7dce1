/**
 * Configuration discovery as the OpenLineage clients do it: code options, then openlineage.yml
 * (OPENLINEAGE_CONFIG, working directory, ~/.openlineage), then OPENLINEAGE__* variables, then
 * legacy OPENLINEAGE_URL; OPENLINEAGE_DISABLED turns it off. Temp directories stand in for cwd/home.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SparkleError } from '../src/errors.js';
import {
  CompositeTransport,
  configFromEnv,
  ConsoleTransport,
  createLineageClient,
  FileTransport,
  getLineageClient,
  HttpTransport,
  NoopTransport,
  OpenLineageClient,
  resolveLineageConfig,
  setLineageClient,
} from '../src/lineage/index.js';
import type { LineageRunSpec } from '../src/lineage/types.js';

const spec: LineageRunSpec = {
  jobName: 'sparkle.read.sqlite.users',
  operation: 'read',
  connectionType: 'sqlite',
  inputs: [{ namespace: 'file', name: '/tmp/app.db' }],
  outputs: [],
};

let root: string;
let cwd: string;
let home: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sparkle-olcfg-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let n = 0;
async function dirs() {
  n++;
  cwd = join(root, `cwd${n}`);
  home = join(root, `home${n}`);
  await mkdir(cwd, { recursive: true });
  await mkdir(join(home, '.openlineage'), { recursive: true });
  return { cwd, homeDir: home };
}

describe('openlineage.yml discovery', () => {
  it('nothing configured: lineage is off (no output from a library unasked)', async () => {
    const client = createLineageClient({ env: {}, ...(await dirs()) });
    expect(client.enabled).toBe(false);
    expect(client.transport).toBeInstanceOf(NoopTransport);
  });

  it('finds ./openlineage.yml, then ~/.openlineage/openlineage.yml; OPENLINEAGE_CONFIG wins over both', async () => {
    const where = await dirs();
    await writeFile(join(home, '.openlineage', 'openlineage.yml'), 'transport:\n  type: console\n');
    expect(createLineageClient({ env: {}, ...where }).transport).toBeInstanceOf(ConsoleTransport);

    const cwdLog = join(cwd, 'cwd.ndjson');
    await writeFile(join(cwd, 'openlineage.yml'), `transport:\n  type: file\n  log_file_path: ${cwdLog}\n`);
    const fromCwd = createLineageClient({ env: {}, ...where });
    expect((fromCwd.transport as FileTransport).path).toBe(cwdLog);

    const explicit = join(root, 'elsewhere.yml');
    await writeFile(explicit, 'transport:\n  type: http\n  url: http://127.0.0.1:5000\n');
    const fromEnvPath = createLineageClient({ env: { OPENLINEAGE_CONFIG: explicit }, ...where });
    expect((fromEnvPath.transport as HttpTransport).target).toBe('http://127.0.0.1:5000/api/v1/lineage');
    expect(resolveLineageConfig(undefined, { env: { OPENLINEAGE_CONFIG: explicit }, ...where }).file).toBe(explicit);
  });

  it('a missing OPENLINEAGE_CONFIG file or a malformed yml is a ConfigError naming file and line', async () => {
    const where = await dirs();
    expect(() => createLineageClient({ env: { OPENLINEAGE_CONFIG: join(root, 'nope.yml') }, ...where })).toThrow(/nope\.yml, which does not exist/);
    const file = join(cwd, 'openlineage.yml');
    await writeFile(file, 'transport:\n  type: file\n  type: console\n');
    let error: unknown;
    try {
      createLineageClient({ env: {}, ...where });
    } catch (e) {
      error = e;
    }
    expect(SparkleError.isInstance(error) && error.code).toBe('CONFIG_PARSE');
    expect((error as Error).message).toContain(`${file}:3:`);
    await writeFile(file, 'transport:\n  type: kafka\n  topic: t\n');
    expect(() => createLineageClient({ env: {}, ...where })).toThrow(/openlineage\.yml: transport: transport type "kafka" is not supported/);
    await writeFile(file, 'transport:\n  type: file\n');
    expect(() => createLineageClient({ env: {}, ...where })).toThrow(/needs log_file_path/);
  });
});

describe('environment variables', () => {
  it('OPENLINEAGE__TRANSPORT__TYPE=file with LOG_FILE_PATH, JSON values parsed', async () => {
    const where = await dirs();
    const log = join(cwd, 'env', 'events.ndjson');
    const client = createLineageClient({
      env: { OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: log, OPENLINEAGE__TRANSPORT__APPEND: 'true' },
      ...where,
    });
    const run = client.run(spec);
    await run.start();
    await run.complete({ rows: 2 });
    await client.close();
    const events = (await readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
  });

  it('nested keys split on __ and lower-cased; a higher-level JSON variable wins over nested ones', () => {
    expect(
      configFromEnv({
        OPENLINEAGE__TRANSPORT__TYPE: 'http',
        OPENLINEAGE__TRANSPORT__TIMEOUT: '2.5',
        OPENLINEAGE__TRANSPORT__AUTH: '{"type":"api_key","apiKey":"k"}',
        OTHER: 'x',
      }),
    ).toEqual({ transport: { type: 'http', timeout: 2.5, auth: { type: 'api_key', apiKey: 'k' } } });
    expect(configFromEnv({ OPENLINEAGE__TRANSPORT: '{"type":"console"}', OPENLINEAGE__TRANSPORT__TYPE: 'http' })).toEqual({
      transport: { type: 'console' },
    });
  });

  it('composite from env with named members (the OpenLineage map form)', async () => {
    const where = await dirs();
    const client = createLineageClient({
      env: {
        OPENLINEAGE__TRANSPORT__TYPE: 'composite',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__FIRST__TYPE: 'http',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__FIRST__URL: 'http://127.0.0.1:5000',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__FIRST__AUTH__API_KEY: 'k1',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__SECOND__TYPE: 'console',
        OPENLINEAGE__TRANSPORT__TRANSPORTS__THIRD: '{}',
      },
      ...where,
    });
    const t = client.transport as CompositeTransport;
    expect(t).toBeInstanceOf(CompositeTransport);
    expect(t.transports.map((x) => x.kind)).toEqual(['http', 'console']);
    const sorted = createLineageClient({
      transport: {
        type: 'composite',
        sort_transports: true,
        transports: [{ type: 'console' }, { type: 'http', url: 'http://127.0.0.1:1', priority: 10 }],
      },
      ignoreEnvironment: true,
    });
    expect((sorted.transport as CompositeTransport).transports.map((x) => x.kind)).toEqual(['http', 'console']);
  });

  it('yml wins over OPENLINEAGE__ key by key; env fills what the file leaves out', async () => {
    const where = await dirs();
    await writeFile(join(cwd, 'openlineage.yml'), 'transport:\n  type: http\n  url: http://from-file:5000\n');
    const resolved = resolveLineageConfig(undefined, {
      env: { OPENLINEAGE__TRANSPORT__URL: 'http://from-env:1', OPENLINEAGE__TRANSPORT__ENDPOINT: 'custom/v2' },
      ...where,
    });
    expect(resolved.config).toEqual({ transport: { type: 'http', url: 'http://from-file:5000', endpoint: 'custom/v2' } });
    expect(resolved.sources).toEqual(['file', 'env']);
  });

  it('code options win over the yml file', async () => {
    const where = await dirs();
    await writeFile(join(cwd, 'openlineage.yml'), 'transport:\n  type: console\n');
    const client = createLineageClient({ transport: { type: 'file', log_file_path: join(cwd, 'x.ndjson') }, env: {}, ...where });
    expect(client.transport).toBeInstanceOf(FileTransport);
  });

  it('legacy OPENLINEAGE_URL + OPENLINEAGE_ENDPOINT + OPENLINEAGE_API_KEY make an http transport', async () => {
    const where = await dirs();
    const env = { OPENLINEAGE_URL: 'http://marquez:5000', OPENLINEAGE_ENDPOINT: 'api/v1/lineage', OPENLINEAGE_API_KEY: 'legacy-key' };
    const client = createLineageClient({ env, ...where });
    expect((client.transport as HttpTransport).target).toBe('http://marquez:5000/api/v1/lineage');
    // A configured transport type takes precedence over the legacy variables.
    const withType = createLineageClient({ env: { ...env, OPENLINEAGE__TRANSPORT__TYPE: 'console' }, ...where });
    expect(withType.transport).toBeInstanceOf(ConsoleTransport);
  });

  it('OPENLINEAGE_NAMESPACE sets the job namespace; the option overrides it', async () => {
    const where = await dirs();
    const out: string[] = [];
    const transport = new ConsoleTransport({ write: (l) => out.push(l) });
    await createLineageClient({ transport, env: { OPENLINEAGE_NAMESPACE: 'etl-prod' }, ...where }).run(spec).start();
    await createLineageClient({ transport, namespace: 'mine', env: { OPENLINEAGE_NAMESPACE: 'etl-prod' }, ...where }).run(spec).start();
    expect(out.map((l) => JSON.parse(l).job.namespace)).toEqual(['etl-prod', 'mine']);
  });

  it('OPENLINEAGE_DISABLED=true: disabled, nothing emitted, even with a transport configured', async () => {
    const where = await dirs();
    const log = join(cwd, 'disabled.ndjson');
    const client = createLineageClient({
      env: { OPENLINEAGE_DISABLED: 'TRUE', OPENLINEAGE__TRANSPORT__TYPE: 'file', OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: log },
      ...where,
    });
    expect(client.enabled).toBe(false);
    const run = client.run(spec);
    await run.start();
    await run.complete();
    await client.close();
    await expect(readFile(log)).rejects.toThrow(/ENOENT/);
    expect(createLineageClient({ transport: { type: 'none' }, ignoreEnvironment: true }).enabled).toBe(false);
    expect(createLineageClient({ transport: { type: 'console' }, disabled: true, ignoreEnvironment: true }).enabled).toBe(false);
  });
});

describe('process-wide client', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('OPENLINEAGE')) delete process.env[k];
    Object.assign(process.env, saved);
    setLineageClient(undefined);
  });

  it('is created lazily from the environment, once, and shared through a Symbol.for key', async () => {
    const where = await dirs();
    const log = join(where.cwd, 'global.ndjson');
    setLineageClient(undefined);
    process.env.OPENLINEAGE__TRANSPORT__TYPE = 'file';
    process.env.OPENLINEAGE__TRANSPORT__LOG_FILE_PATH = log;
    const a = getLineageClient();
    expect(a).toBe(getLineageClient());
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('sparkle.lineage.default-client')]).toBe(a);
    expect((a as OpenLineageClient).transport).toBeInstanceOf(FileTransport);
    const mine = createLineageClient({ transport: new NoopTransport() });
    expect(setLineageClient(mine)).toBe(a);
    expect(getLineageClient()).toBe(mine);
  });

  it('a broken configuration leaves lineage off with one warning instead of failing reads', async () => {
    setLineageClient(undefined);
    process.env.OPENLINEAGE_CONFIG = join(root, 'missing-config.yml');
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const client = getLineageClient();
      expect(client.enabled).toBe(false);
      await client.run(spec).start();
      await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([expect.stringMatching(/OpenLineage is off: OPENLINEAGE_CONFIG names .*missing-config\.yml/)]);
  });
});
