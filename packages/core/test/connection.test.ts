import { createServer, type Server } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ts from 'typescript';
import { z } from 'zod';
import {
  ConnectionFactory,
  getConnection,
  HealthSkip,
  JDBCConnection,
  registerConnection,
  secret,
  SparkleConnection,
  SparkleError,
  unregisterConnection,
  type ConnectionInit,
  type Endpoint,
} from '../src/index.js';

/** A connection whose tiers are driven by its config, to exercise the health model. */
class ProbeConnection extends SparkleConnection<{ host: string; port: number; token?: string; hangAuth?: boolean; failProbe?: boolean }> {
  static override schema = z.object({
    host: z.string(),
    port: z.number().int(),
    token: secret(z.string()).optional(),
    hangAuth: z.boolean().optional(),
    failProbe: z.boolean().optional(),
  });
  closes = 0;
  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(() => {
      this.closes++;
    });
  }
  protected override endpoints(): Endpoint[] {
    return [{ host: this.config.host, port: this.config.port }];
  }
  protected override async checkAuth(signal: AbortSignal) {
    if (this.config.hangAuth) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    return 'token accepted';
  }
  protected override async checkProbe() {
    if (this.config.failProbe) throw new Error(`probe failed for token ${this.config.token}`);
    return new HealthSkip('nothing to probe');
  }
}

let server: Server;
let openPort: number;

beforeAll(async () => {
  registerConnection(['probe_test', 'probe'], ProbeConnection);
  server = createServer((socket) => socket.on('error', () => undefined)); // accepts, never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openPort = (server.address() as { port: number }).port;
});

afterAll(async () => {
  unregisterConnection('probe_test');
  await new Promise((resolve) => server.close(resolve));
});

describe('SparkleConnection health', () => {
  it('reports each tier with timings', async () => {
    const conn = await getConnection<ProbeConnection>('probe', { config: { host: '127.0.0.1', port: openPort, token: 'tk-1' } });
    const report = await conn.check({ timeoutMs: 2000 });
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => [s.tier, s.status])).toEqual([
      ['config', 'ok'],
      ['network', 'ok'],
      ['auth', 'ok'],
      ['probe', 'skipped'],
    ]);
    expect(report.steps.every((s) => s.durationMs >= 0)).toBe(true);
    expect(await conn.test()).toBe(true);
  });

  it('fails fast and typed on a closed port, and test() returns false', async () => {
    const conn = await getConnection<ProbeConnection>('probe', { config: { host: '127.0.0.1', port: 1 } });
    const t0 = Date.now();
    const report = await conn.check({ timeoutMs: 3000 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(report.ok).toBe(false);
    expect(report.failedTier).toBe('network');
    expect(report.steps[1]!.error).toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
    expect(report.steps.slice(2).every((s) => s.status === 'skipped')).toBe(true);
    expect(await conn.test()).toBe(false);
  });

  it('honours the timeout when a tier hangs', async () => {
    const conn = await getConnection<ProbeConnection>('probe', { config: { host: '127.0.0.1', port: openPort, hangAuth: true } });
    const t0 = Date.now();
    const report = await conn.check({ timeoutMs: 300 });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2500);
    expect(report.failedTier).toBe('auth');
    expect(report.steps[2]!.error?.code).toBe('TIMEOUT');
  });

  it('never shows a secret: toString, inspect, JSON, check messages', async () => {
    const conn = await getConnection<ProbeConnection>('probe', { config: { host: '127.0.0.1', port: openPort, token: 'sup3r-s3cret', failProbe: true } });
    const report = await conn.check({ timeoutMs: 2000 });
    expect(report.failedTier).toBe('probe');
    const outputs = [String(conn), inspect(conn), JSON.stringify(conn), JSON.stringify(report)];
    for (const text of outputs) expect(text).not.toContain('sup3r-s3cret');
    expect(String(conn)).toContain('"token":"***"');
  });

  it('cleans up on close and with await using', async () => {
    let seen: ProbeConnection | undefined;
    {
      await using conn = await getConnection<ProbeConnection>('probe', { config: { host: 'localhost', port: 1 } });
      seen = conn;
    }
    expect(seen!.closed).toBe(true);
    expect(seen!.closes).toBe(1);
    await seen!.close();
    expect(seen!.closes).toBe(1);
    await expect(seen!.readTable('x')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('refuses a spark argument that is not a session', async () => {
    await expect(getConnection('probe', { spark: { appName: 'x' }, config: { host: 'h', port: 1 } })).rejects.toThrow(/SparkSession from @sparkle\/spark-connect/);
  });
});

describe('seed examples', () => {
  it('Custom Connection: registerConnection on a JDBCConnection subclass with a default driver', async () => {
    // The seed's decorator form, compiled by TypeScript exactly as a user's build would compile it
    // (the test runner's transformer does not lower TC39 decorators).
    const source = `
      @registerConnection('mydb')
      class MyDatabaseConnection extends JDBCConnection {
        constructor(init) {
          super({ ...init, config: { driver: 'com.mydb.Driver', ...init.config } });
        }
      }
      return MyDatabaseConnection;`;
    const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
    const MyDatabaseConnection = new Function('registerConnection', 'JDBCConnection', js)(registerConnection, JDBCConnection) as typeof JDBCConnection;
    const conn = await getConnection<InstanceType<typeof MyDatabaseConnection>>('mydb', {
      config: { url: 'jdbc:mydb://localhost:5000/app', user: 'me', password: 'pw-123' },
    });
    expect(conn).toBeInstanceOf(MyDatabaseConnection);
    const spec = conn.sparkRead('public.orders', { partitionColumn: 'id', lowerBound: 0, upperBound: 1000, numPartitions: 4, fetchSize: 500 });
    expect(spec).toMatchObject({
      format: 'jdbc',
      options: {
        url: 'jdbc:mydb://localhost:5000/app',
        driver: 'com.mydb.Driver',
        user: 'me',
        password: 'pw-123',
        dbtable: '"public"."orders"',
        partitionColumn: '"id"',
        lowerBound: '0',
        upperBound: '1000',
        numPartitions: '4',
        fetchsize: '500',
      },
      secretOptions: ['password'],
    });
    expect(ConnectionFactory.listAvailable()).toContain('mydb');
    expect(String(conn)).not.toContain('pw-123');
    unregisterConnection('mydb');
  });

  it('Override Config with the seed shape, and a clear error for a wrong field type', async () => {
    class SeedJdbc extends JDBCConnection {}
    registerConnection('seed_jdbc', SeedJdbc);
    const conn = await getConnection<SeedJdbc>('seed_jdbc', {
      config: { url: 'jdbc:postgresql://localhost:5432/test', user: 'test', password: 'test', properties: { fetchsize: 10000, ssl: true } },
    });
    expect(conn.connectionInfo()).toMatchObject({ host: 'localhost', port: 5432, database: 'test', user: 'test', params: { fetchsize: '10000', ssl: 'true' } });
    const err = await getConnection('seed_jdbc', { config: { url: 'jdbc:x://h/db', port: 'not-a-port', password: 'hunter2' } }).catch((e: unknown) => e);
    expect(SparkleError.isInstance(err)).toBe(true);
    expect((err as SparkleError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(/port/);
    expect((err as Error).message).not.toContain('hunter2');
    unregisterConnection('seed_jdbc');
  });

  it('unknown types list near matches', async () => {
    registerConnection('probe_test', ProbeConnection);
    await expect(getConnection('prob_test')).rejects.toThrow(/Did you mean 'probe_test'/);
  });
});

describe('secretValues() as the one extension point of redaction', () => {
  /** Secrets chosen at runtime (a header map whose values are secret by key name pattern), not by schema marks. */
  class ExtraSecretConnection extends SparkleConnection<{ headers: Record<string, string> }> {
    static override schema = z.object({ headers: z.record(z.string(), z.string()) });
    protected override secretValues(): readonly string[] {
      return [...super.secretValues(), ...Object.entries(this.config.headers).filter(([k]) => /authorization/i.test(k)).map(([, v]) => v)];
    }
  }

  it('redact, redactValue, redactedConfig and wrapError all scrub what a subclass adds', () => {
    const value = 'Basic c3BhcmtsZS1leHRyYS1zZWNyZXQ=';
    const conn = new ExtraSecretConnection({ type: 'extra_secret', config: { headers: { Authorization: value, accept: 'json' } } } as unknown as ConnectionInit);
    expect(conn.redact(`sent ${value}`)).not.toContain(value);
    expect(JSON.stringify(conn.redactedConfig())).not.toContain(value);
    expect(JSON.stringify(conn.redactedConfig())).toContain('json');
    expect(inspect(conn)).not.toContain(value);
    const e = conn.wrapError(new Error(`server echoed ${value}`), 'call');
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(value);
  });
});
