/**
 * HDFS behaviour beyond the shared suites, against the real MiniDFSCluster over WebHDFS (and small
 * stub NameNodes on 127.0.0.1 for what one healthy cluster never answers: a standby NameNode, a
 * refused delegation token): atomic overwrite by rename, create-only puts decided by the
 * NameNode, nothing visible or left behind by a failed write, AccessControlException, HA
 * failover, version-checked reads, bad Parquet, rename, discover(), Spark options, Kerberos
 * refused with a clear error, and the delegation token never printed.
 */
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows, ensureLocalEngine, SAMPLE_ROWS, sampleTable, sendJson, startHttpServer } from '@sparkle/testkit';
import '../src/index.js';
import { TEMP_PREFIX, type HdfsConnection } from '../src/index.js';
import { hdfsConfig, webhdfs } from './helpers.js';

const open = (config: Record<string, unknown>) => getConnection<HdfsConnection>('hdfs', { config, dotenv: false, variables: {} });
const text = async (chunks: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
};
const failure = async (promise: Promise<unknown>): Promise<SparkleError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SparkleError.isInstance(error), `a typed SparkleError, got ${inspect(error)}`).toBe(true);
  return error as SparkleError;
};
/** Every name in an HDFS directory, hidden ones included, straight from WebHDFS. */
const rawNames = async (dir: string): Promise<string[]> => {
  const res = await fetch(`${webhdfs()}/webhdfs/v1${dir}?op=LISTSTATUS&user.name=sparkle`);
  const body = (await res.json()) as { FileStatuses: { FileStatus: Array<{ pathSuffix: string }> } };
  return body.FileStatuses.FileStatus.map((s) => s.pathSuffix).sort();
};

let config: Record<string, unknown>;
beforeAll(async () => {
  await ensureLocalEngine();
  config = hdfsConfig('unit');
});

describe('atomic writes by rename', () => {
  it('an overwrite whose source fails halfway leaves the old file readable and no temporary file', async () => {
    await using conn = await open(config);
    await conn.putObject('atomic/data.txt', 'version one');
    const seenMidway: unknown[] = [];
    async function* broken() {
      yield new Uint8Array(200 * 1024).fill(65);
      seenMidway.push((await conn.statObject('atomic/data.txt'))?.size, (await collect(conn.listObjects({ prefix: 'atomic/' }))).map((o) => o.key));
      throw new Error('source broke');
    }
    await expect(conn.putObject('atomic/data.txt', broken())).rejects.toThrow(/source broke|CREATE/);
    expect(seenMidway).toEqual([11, ['atomic/data.txt']]);
    expect(await text(conn.getObject('atomic/data.txt'))).toBe('version one');
    expect(await rawNames(`${String(config.path)}/atomic`)).toEqual(['data.txt']);
  });

  it('an overwrite replaces the file whole (a new inode, so the version changes)', async () => {
    await using conn = await open(config);
    const before = await conn.putObject('atomic/replaced.txt', 'old');
    const after = await conn.putObject('atomic/replaced.txt', 'brand new');
    expect(after.etag).not.toBe(before.etag);
    expect(await text(conn.getObject('atomic/replaced.txt'))).toBe('brand new');
    const error = await failure(text(conn.getObject('atomic/replaced.txt', { ifMatch: before.etag! })));
    expect(error.retryable).toBe(true);
    expect(error.details).toMatchObject({ changed: true, key: 'atomic/replaced.txt' });
    expect(error.message).toContain('atomic/replaced.txt');
  });

  it('of two racing create-only puts, the NameNode lets exactly one win', async () => {
    await using conn = await open(config);
    const results = await Promise.allSettled(['first', 'second', 'third'].map((body) => conn.putObject('atomic/once.txt', body, { ifNoneMatch: '*' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const r of lost) expect((r.reason as SparkleError).code).toBe('TABLE_EXISTS');
    expect(['first', 'second', 'third']).toContain(await text(conn.getObject('atomic/once.txt')));
    expect((await rawNames(`${String(config.path)}/atomic`)).filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([]);
  });

  it('renames atomically, refusing an existing target unless asked to overwrite', async () => {
    await using conn = await open(config);
    await conn.putObject('rename/a.txt', 'A');
    await conn.putObject('rename/b.txt', 'B');
    expect((await failure(conn.renameObject('rename/a.txt', 'rename/b.txt'))).code).toBe('TABLE_EXISTS');
    await conn.renameObject('rename/a.txt', 'rename/b.txt', { overwrite: true });
    expect(await text(conn.getObject('rename/b.txt'))).toBe('A');
    await conn.renameObject('rename/b.txt', 'rename/deeper/c.txt');
    expect((await collect(conn.listObjects({ prefix: 'rename/' }))).map((o) => o.key)).toEqual(['rename/deeper/c.txt']);
  });
});

describe('errors from the NameNode', () => {
  it('AccessControlException: another user cannot write into a directory it does not own', async () => {
    await using owner = await open(config);
    await owner.putObject('private/owned.txt', 'mine');
    // The owner closes the directory to others (rwxr-xr-x), as a team directory would be.
    const chmod = await fetch(`${webhdfs()}/webhdfs/v1${String(config.path)}/private?op=SETPERMISSION&permission=755&user.name=sparkle`, { method: 'PUT' });
    expect(chmod.status).toBe(200);
    await using intruder = await open({ ...config, user: 'intruder' });
    expect(await text(intruder.getObject('private/owned.txt'))).toBe('mine');
    const error = await failure(intruder.putObject('private/evil.txt', 'x'));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.message).toMatch(/AccessControlException/);
    expect(error.message).toContain('private');
    expect(error.details.exception).toBe('AccessControlException');
  });

  it('a missing file and a directory are not-found reads, naming the path', async () => {
    await using conn = await open(config);
    await conn.putObject('dir/inner/x.txt', 'x');
    for (const key of ['dir/missing.txt', 'dir/inner']) {
      const error = await failure(text(conn.getObject(key)));
      expect(error.details.notFound).toBe(true);
      expect(error.message).toContain(key);
    }
    expect(await conn.statObject('dir/inner')).toBeUndefined();
    expect(await conn.deleteObjects(['dir/inner'])).toBe(0);
  });

  it.each([
    ['a 0-byte', new Uint8Array(0)],
    ['a truncated', new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3])],
  ])('%s Parquet file fails typed, naming the file', async (_label, bytes) => {
    await using conn = await open(config);
    const key = `bad/${bytes.byteLength}.parquet`;
    await conn.putObject(key, bytes);
    const error = await failure(conn.readTable(key).then((f) => collectRows(f)));
    expect(error.message).toContain(key);
  });

  it('a glob matching nothing is a clear not-found error', async () => {
    await using conn = await open(config);
    expect((await failure(conn.readTable('none/*.csv').then((f) => collectRows(f)))).details.notFound).toBe(true);
  });
});

describe('HA: several NameNodes', () => {
  it('skips an unreachable NameNode and a standby one, and keeps using the active one', async () => {
    const standby = await startHttpServer((_req, res) =>
      sendJson(res, 403, { RemoteException: { exception: 'StandbyException', javaClassName: 'org.apache.hadoop.ipc.StandbyException', message: 'Operation category READ is not supported in state standby' } }),
    );
    try {
      await using conn = await open({ ...config, namenodes: ['http://127.0.0.1:1', standby.url, webhdfs()], maxRetries: 0 });
      await conn.putObject('ha/a.txt', 'through the active one');
      const before = standby.requests.length;
      expect(before).toBeGreaterThan(0);
      expect(await text(conn.getObject('ha/a.txt'))).toBe('through the active one');
      expect(standby.requests.length).toBe(before);
    } finally {
      await standby.close();
    }
  });

  it('with only standby NameNodes, fails retryable naming them', async () => {
    const standby = await startHttpServer((_req, res) => sendJson(res, 403, { RemoteException: { exception: 'StandbyException', message: 'standby' } }));
    try {
      await using conn = await open({ ...config, namenodes: [standby.url, standby.url], maxRetries: 0 });
      const error = await failure(conn.statObject('x.txt'));
      expect(error.retryable).toBe(true);
      expect(error.details.exception).toBe('StandbyException');
    } finally {
      await standby.close();
    }
  });
});

describe('credentials', () => {
  const TOKEN = 'HAAEaGRmcwRoZGZzAIoBkJ2bXp-sparkle-test-token-0123456789';

  it('sends the delegation token instead of user.name, and never prints it', async () => {
    const namenode = await startHttpServer((_req, res) =>
      sendJson(res, 401, { RemoteException: { exception: 'InvalidToken', javaClassName: 'org.apache.hadoop.security.token.SecretManager$InvalidToken', message: `token (${TOKEN}) is expired` } }),
    );
    try {
      await using conn = await open({ namenodes: [namenode.url], path: '/data', delegationToken: TOKEN, maxRetries: 0 });
      const error = await failure(conn.statObject('a.csv'));
      expect(error.code).toBe('AUTHENTICATION_FAILED');
      expect(error.message).toMatch(/delegationToken/);
      const url = new URL(namenode.requests[0]!.url, namenode.url);
      expect(url.searchParams.get('delegation')).toBe(TOKEN);
      expect(url.searchParams.has('user.name')).toBe(false);
      for (const shown of [inspect(error, { depth: 10 }), JSON.stringify(error), inspect(conn), String(conn), JSON.stringify(await conn.check({ timeoutMs: 5000 }))]) {
        expect(shown).not.toContain(TOKEN);
      }
    } finally {
      await namenode.close();
    }
  });

  it('Kerberos is refused up front with what to do instead', async () => {
    const error = await failure(open({ namenodes: ['http://nn1:9870'], auth: 'kerberos' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/Kerberos \(SPNEGO\) is not supported/);
    expect(error.message).toMatch(/delegationToken/);
  });
});

describe('discover, check and Spark', () => {
  it('lists top-level directories and files, and infers a path’s schema', async () => {
    await using conn = await open(hdfsConfig('discover'));
    await conn.writeTable(sampleTable(), 'orders/2024.parquet', { mode: 'overwrite' });
    await conn.writeTable(sampleTable(SAMPLE_ROWS.slice(0, 2)), 'orders/2025.parquet', { mode: 'overwrite' });
    await conn.putObject('notes.txt', 'hello');
    expect((await conn.discover()).map((t) => [t.name, t.kind, t.objects])).toEqual([
      ['notes.txt', 'object', 1],
      ['orders/', 'prefix', 2],
    ]);
    const [orders] = await conn.discover({ path: 'orders' });
    expect(orders!.columns?.map((c) => c.name)).toEqual(['id', 'name', 'score', 'active']);
    expect(await collectRows(await conn.readTable('orders'))).toHaveLength(SAMPLE_ROWS.length + 2);
  });

  it('check() passes every tier against the cluster', async () => {
    await using conn = await open(config);
    await conn.putObject('check/x.txt', 'x');
    const report = await conn.check({ timeoutMs: 10_000 });
    expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
    expect(report.steps.find((s) => s.tier === 'probe')?.status).toBe('ok');
  });

  it('maps keys to hdfs:// paths on the RPC port, no options for a single NameNode (golden)', async () => {
    await using conn = await open({ namenodes: ['http://nn1.corp:9870'], path: '/data/lake/' });
    expect(conn.sparkRead('orders/*.parquet')).toEqual({ format: 'parquet', paths: ['hdfs://nn1.corp:8020/data/lake/orders/*.parquet'], options: {}, secretOptions: [] });
    expect(conn.sparkWrite('out/o.csv', { mode: 'overwrite' })).toEqual({ format: 'csv', mode: 'overwrite', path: 'hdfs://nn1.corp:8020/data/lake/out/o.csv', options: { header: 'true' }, secretOptions: [] });
  });

  it('an HA nameservice: hdfs://<nameservice>/ paths with the failover client options (golden)', async () => {
    await using conn = await open({ namenodes: ['http://nn1.corp:9870', 'http://nn2.corp:9870'], nameservice: 'prod', rpcPort: 8020, path: '/lake' });
    expect(conn.sparkRead('t.parquet')).toEqual({
      format: 'parquet',
      paths: ['hdfs://prod/lake/t.parquet'],
      options: {
        'dfs.nameservices': 'prod',
        'dfs.ha.namenodes.prod': 'nn1,nn2',
        'dfs.namenode.rpc-address.prod.nn1': 'nn1.corp:8020',
        'dfs.namenode.rpc-address.prod.nn2': 'nn2.corp:8020',
        'dfs.client.failover.proxy.provider.prod': 'org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider',
      },
      secretOptions: [],
    });
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
