/** Driver-free parts: lazy loading, JDBC property mapping, parameter inlining, Spark options. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { inlineParams, pgClientSettings, PostgreSQLConnection, searchPathSql, sslSettings } from '../src/index.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

describe('lazy driver loading', () => {
  it('loads neither pg nor apache-arrow at import, and both once a session opens', () => {
    const script = `
      const loaded = () => Object.keys(require.cache).filter((k) => /node_modules\\/(pg|pg-copy-streams|apache-arrow)\\//.test(k)).length;
      const mod = await import('./src/index.ts');
      const atImport = loaded();
      const { getConnection } = await import('@sparkle/core');
      const conn = await getConnection('postgres', { config: { url: 'jdbc:postgresql://127.0.0.1:1/x' }, dotenv: false, variables: {} });
      await conn.withSession(async () => 1).catch(() => undefined);
      console.log(JSON.stringify({ atImport, afterOpen: loaded(), exported: typeof mod.PostgreSQLConnection }));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}`], {
      cwd: pkgDir,
      encoding: 'utf8',
    });
    const result = JSON.parse(out.trim().split('\n').pop()!) as { atImport: number; afterOpen: number; exported: string };
    expect(result.exported).toBe('function');
    expect(result.atImport).toBe(0);
    expect(result.afterOpen).toBeGreaterThan(0);
  }, 30_000);
});

describe('JDBC config → node-postgres settings', () => {
  const open = (config: Record<string, unknown>) => getConnection<PostgreSQLConnection>('postgres', { config, dotenv: false, variables: {} });

  it('accepts the seed config exactly and derives host, port, database and TLS', async () => {
    await using conn = await open({
      driver: 'org.postgresql.Driver',
      properties: { fetchsize: '10000', ssl: 'true' },
      url: 'jdbc:postgresql://prod-db:5432/analytics',
      user: 'svc',
      password: 'pw',
    });
    const s = conn.clientSettings();
    expect(s).toMatchObject({ host: 'prod-db', port: 5432, database: 'analytics', user: 'svc', password: 'pw', ssl: { rejectUnauthorized: true }, application_name: 'sparkle' });
    const spark = conn.sparkRead('public.customers', { partitionColumn: 'customer_id', lowerBound: 0, upperBound: 1_000_000, numPartitions: 20 });
    expect(spark.options).toMatchObject({
      url: 'jdbc:postgresql://prod-db:5432/analytics',
      driver: 'org.postgresql.Driver',
      dbtable: '"public"."customers"',
      fetchsize: '10000',
      ssl: 'true',
      partitionColumn: '"customer_id"',
      lowerBound: '0',
      upperBound: '1000000',
      numPartitions: '20',
    });
    expect(spark.secretOptions).toEqual(['password']);
  });

  it('maps sslmode, timeouts, ApplicationName, currentSchema and options', () => {
    const info = { host: 'h', port: 6543, database: 'd', user: 'u', params: { sslmode: 'require', connectTimeout: '3', socketTimeout: '20', ApplicationName: 'etl', currentSchema: 'sales mart', options: '-c work_mem=64MB' } };
    const s = pgClientSettings(info, { properties: {}, connectTimeoutMs: 10_000, maxConnections: 4, queryTimeoutMs: 5000 } as never);
    expect(s).toMatchObject({ host: 'h', port: 6543, ssl: { rejectUnauthorized: false }, connectionTimeoutMillis: 3000, query_timeout: 20_000, statement_timeout: 5000, application_name: 'etl' });
    expect(s.options).toBe('-c work_mem=64MB');
    expect(searchPathSql(info, { schema: 'ignored' } as never)).toBe('SET search_path TO "sales mart"');
    expect(searchPathSql({ params: {} }, { schema: 'a, $user' } as never)).toBe('SET search_path TO "a", "$user"');
    expect(sslSettings({ ssl: 'false' })).toBe(false);
    expect(sslSettings({ sslmode: 'prefer' })).toBe(false);
    expect(sslSettings({ sslmode: 'verify-ca' })).toMatchObject({ rejectUnauthorized: true });
  });

  it('builds the URL from host/port/database when no url is given', async () => {
    await using conn = await open({ host: 'db.internal', database: 'app', user: 'u' });
    expect(conn.jdbcUrl()).toBe('jdbc:postgresql://db.internal:5432/app');
    expect(conn.dataset('public.orders')).toEqual({ namespace: 'postgres://db.internal:5432', name: 'app.public.orders' });
  });
});

describe('parameter inlining for COPY', () => {
  it('replaces $n outside literals, identifiers, comments and dollar quotes', () => {
    const sql = `SELECT $1, '$1', "$2", $2 -- $1\n/* $2 */ , $$ $1 $$, $tag$ $2 $tag$, $10`;
    const params = ['a\'b', 2, 3, 4, 5, 6, 7, 8, 9, null];
    expect(inlineParams(sql, params)).toBe(`SELECT 'a''b', '$1', "$2", 2 -- $1\n/* $2 */ , $$ $1 $$, $tag$ $2 $tag$, NULL`);
  });

  it('renders each value type as a literal', () => {
    expect(inlineParams('SELECT $1, $2, $3, $4, $5, $6', [-5, 10n, true, new Date('2024-01-02T03:04:05.678Z'), Buffer.from([1, 255]), { a: 1 }])).toBe(
      `SELECT (-5), 10, TRUE, '2024-01-02T03:04:05.678Z', '\\x01ff'::bytea, '{"a":1}'`,
    );
    expect(() => inlineParams('SELECT $2', [1])).toThrow(/\$2/);
  });
});
