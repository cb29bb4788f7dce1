/**
 * What is special about PostgreSQL: every fast-path type through binary COPY both ways, exact
 * numerics and microsecond timestamps, partitioned reads with NULL keys, atomic overwrite under
 * a mid-write failure, hostile identifiers, authentication and timeouts — against the real server
 * and against PGlite (a private real Postgres in-process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError, type JdbcSession } from '@sparkle/core';
import { blackHole, collectRows, findPostgres, startPglite, startPostgresCluster, type PostgresService } from '@sparkle/testkit';
import '../src/index.js';
import type { PostgreSQLConnection } from '../src/index.js';

type PgConn = PostgreSQLConnection;

const services: Array<[string, () => Promise<PostgresService | null>]> = [
  ['server', () => findPostgres({ allowPglite: false })],
  ['pglite', () => startPglite()],
];

const open = (config: Record<string, unknown>) => getConnection<PgConn>('postgres', { config, dotenv: false, variables: {} });

async function rowsOf(conn: PgConn, table: string, options = {}): Promise<Array<Record<string, unknown>>> {
  return collectRows(await conn.readTable(table, options));
}

async function sql(conn: PgConn, text: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  return conn.withSession((s: JdbcSession) => s.queryRows(text, params));
}

describe.each(services)('postgres (%s)', (name, find) => {
  let service: PostgresService | null = null;
  let conn: PgConn;
  const t = (base: string) => `sparkle_pg_${name}_${base}`;

  beforeAll(async () => {
    service = await find();
    if (!service) {
      if (process.env.CI) throw new Error('PostgreSQL server required in CI (tools/services/ensure-postgres.sh)');
      return;
    }
    conn = await open(service.config);
  });
  afterAll(async () => {
    if (conn) {
      // Nothing left on the shared server: every table this suite creates carries its prefix.
      const made = await sql(conn, `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE tablename LIKE $1`, [`sparkle\\_pg\\_${name}\\_%`]);
      for (const { name: table } of made) await sql(conn, `DROP TABLE IF EXISTS ${String(table)}`);
      await sql(conn, `DROP SCHEMA IF EXISTS sparkle_${name}_schema CASCADE`);
    }
    await conn?.close();
    await service?.stop();
  });

  it('round-trips every fast-path type through binary COPY, exactly, with NULLs', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const src = t('types_src');
    const dst = t('types_dst');
    await sql(conn, `DROP TABLE IF EXISTS ${src}, ${dst}`);
    await sql(
      conn,
      `CREATE TABLE ${src} (i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(38,10), n2 numeric(12,2), t text, v varchar(20), c char(3),
        b bool, d date, ts timestamp, tz timestamptz, by bytea, u uuid, j json, jb jsonb, iv interval)`,
    );
    await sql(
      conn,
      `INSERT INTO ${src} VALUES
        (-32768, -2147483648, -9223372036854775808, -1.5, -1e300, -1234567890123456789012345678.0123456789, -9999999999.99, 'héllo ✓', 'v', 'ab', true,
         '1900-03-01', '1970-01-01 00:00:00.000001', '2024-02-29 23:59:59.999999+00', '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": null}', '1 day 02:03:04'),
        (32767, 2147483647, 9223372036854775807, 3.25, 2.5, 0.0000000001, 0.01, '', 'x', 'xyz', false,
         '2262-04-11', '1899-12-31 23:59:59.999999', '1969-12-31 23:59:59.5+00', '\\x', '00000000-0000-0000-0000-000000000000', '[]', '[1]', '-1 mons'),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
    const text = `SELECT i2::text, i4::text, i8::text, f4::text, f8::text, n::text, n2::text, t, v, c, b::text, d::text, ts::text, (tz AT TIME ZONE 'UTC')::text AS tz, encode(by, 'hex') AS by, u::text, j::text, jb::text, iv::text`;
    const read = await rowsOf(conn, src);
    expect(read).toHaveLength(3);
    const first = read[0]!;
    expect(first.i2).toBe(-32768);
    expect(first.i8).toBe(-9223372036854775808n);
    expect(first.f8).toBe(-1e300);
    expect(first.t).toBe('héllo ✓');
    expect(first.c).toBe('ab ');
    expect(first.u).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(first.jb).toBe('{"b": null}');
    expect(first.iv).toBe('1 day 02:03:04');
    expect(read[2]).toEqual(Object.fromEntries(Object.keys(first).map((k) => [k, null])));
    // Exact numerics and microsecond timestamps: compare through the server's own text rendering.
    const frame = await conn.readTable(src);
    const batches = [];
    for await (const b of frame as AsyncIterable<import('apache-arrow').RecordBatch>) batches.push(b);
    const schema = batches[0]!.schema;
    expect(String(schema.fields.find((f) => f.name === 'n')!.type)).toBe('Decimal[38e+10]');
    expect(String(schema.fields.find((f) => f.name === 'ts')!.type)).toBe('Timestamp<MICROSECOND>');
    expect(String(schema.fields.find((f) => f.name === 'tz')!.type)).toBe('Timestamp<MICROSECOND, UTC>');
    // Write the Arrow batches to a new table through binary COPY FROM STDIN (INSERT on PGlite)…
    const result = await conn.writeTable(batches, dst, { mode: 'overwrite' });
    expect(result.rows).toBe(3);
    // …and the server renders both tables identically, value for value. (`iv` has no binary
    // decoder: it is read as text and written back into a text column.)
    const before = await sql(conn, `${text.replace('iv::text', 'iv::text AS iv')} FROM ${src} ORDER BY i2 NULLS LAST`);
    const after = await sql(conn, `${text.replace('iv::text', 'iv AS iv')} FROM ${dst} ORDER BY i2 NULLS LAST`);
    expect(after).toEqual(before);
    const types = await sql(conn, `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum`, [dst]);
    expect(types.map((r) => r.t)).toEqual([
      'smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric(38,10)', 'numeric(12,2)', 'text', 'text', 'text',
      'boolean', 'date', 'timestamp without time zone', 'timestamp with time zone', 'bytea', 'text', 'text', 'text', 'text',
    ]);
  });

  it('writes decimals exactly on both the arithmetic and the BigInt paths', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const src = t('dec_src');
    const dst = t('dec_dst');
    await sql(conn, `DROP TABLE IF EXISTS ${src}, ${dst}`);
    await sql(conn, `CREATE TABLE ${src} (a numeric(12,2), b numeric(10,4), c numeric(18,0), d numeric(38,3))`);
    await sql(
      conn,
      `INSERT INTO ${src} VALUES (0, 0, 0, 0), (-0.5, -0.0001, -1, -0.001), (1, 1, 1, 1), (100000000.00, 123456.7891, 999999999999999999, 12345678901234567890123456789012345.678),
        (-9999999999.99, -999999.9999, -999999999999999999, -99999999999999999999999999999999999.999), (10000.01, 0.1, 10000, 10000), (NULL, NULL, NULL, NULL)`,
    );
    const batches = [];
    for await (const b of (await conn.readTable(src)) as AsyncIterable<import('apache-arrow').RecordBatch>) batches.push(b);
    await conn.writeTable(batches, dst, { mode: 'overwrite' });
    const q = (table: string) => sql(conn, `SELECT a::text, b::text, c::text, d::text FROM ${table} ORDER BY a NULLS LAST, b`);
    expect(await q(dst)).toEqual(await q(src));
  });

  it('decodes the same rows whatever the chunk boundaries', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const { CopyBinaryDecoder, columnFor } = await import('../src/index.js');
    const arrow = await import('apache-arrow');
    const { default: pg } = await import('pg');
    const { to } = await import('pg-copy-streams');
    const client = new pg.Client({ host: service!.host, port: service!.port, user: service!.user, database: service!.database });
    await client.connect();
    const query = "SELECT g::int8 AS a, CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('x', g % 50) END AS b, (g / 7.0)::numeric(20,4) AS c FROM generate_series(1, 3000) g";
    const fields = (await client.query(`SELECT * FROM (${query}) q LIMIT 0`)).fields;
    const columns = fields.map((f) => columnFor(f.name, f.dataTypeID, f.dataTypeModifier));
    const parts: Buffer[] = [];
    for await (const chunk of client.query(to(`COPY (${query}) TO STDOUT (FORMAT binary)`)) as AsyncIterable<Buffer>) parts.push(chunk);
    await client.end();
    const whole = Buffer.concat(parts);
    const decode = (size: number) => {
      const decoder = new CopyBinaryDecoder(arrow, columns, 1000);
      const batches = [];
      for (let i = 0; i < whole.length; i += size) batches.push(...decoder.push(whole.subarray(i, i + size)));
      const last = decoder.finish(batches.length === 0);
      if (last) batches.push(last);
      expect(decoder.done).toBe(true);
      return batches.flatMap((b) => b.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))));
    };
    const reference = decode(whole.length);
    expect(reference).toHaveLength(3000);
    for (const size of [1, 3, 17, 1000, 20_000, 65_536]) expect(decode(size), `chunks of ${size}`).toEqual(reference);
  });

  it('streams in fetchSize batches without buffering the whole result', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const frame = await conn.query('SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 25000) g', [], { fetchSize: 10_000 });
    const sizes: number[] = [];
    for await (const b of frame as AsyncIterable<import('apache-arrow').RecordBatch>) sizes.push(b.numRows);
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
  });

  it('surfaces an error raised mid-COPY, typed, and survives a consumer that stops early', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const failing = await conn.query('SELECT g, 1 / (g - 40000) AS boom FROM generate_series(1, 50000) g', [], { fetchSize: 1000 });
    const error = await collectRows(failing).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(SparkleError.isInstance(error)).toBe(true);
    expect((error as SparkleError).code).toBe('QUERY_FAILED');
    expect((error as Error).message).toMatch(/division by zero/);
    let seen = 0;
    for await (const b of (await conn.query('SELECT g FROM generate_series(1, 100000) g', [], { fetchSize: 1000 })) as AsyncIterable<{ numRows: number }>) {
      seen += b.numRows;
      break;
    }
    expect(seen).toBe(1000);
    expect(await sql(conn, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  });

  it('inlines query parameters safely for COPY', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const rows = await collectRows(await conn.query("SELECT $1::text AS a, $2::int AS b, '$1' AS literal, $3::numeric AS c", ["it's $2 -- not a comment", 42, '-1.50']));
    expect(rows).toEqual([{ a: "it's $2 -- not a comment", b: 42, literal: '$1', c: '-1.50' }]);
  });

  describe('partitioned reads', () => {
    const table = t('parts');
    beforeAll(async () => {
      if (!service) return;
      await sql(conn, `DROP TABLE IF EXISTS ${table}`);
      await sql(conn, `CREATE TABLE ${table} AS SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE g END AS k, g AS id, 'r' || g AS label FROM generate_series(1, 1000) g`);
    });
    const ids = (rows: Array<Record<string, unknown>>) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);

    it('returns every row exactly once, NULL keys included, at any partition count', async (ctx) => {
      if (!service) ctx.skip('no PostgreSQL');
      const plain = ids(await rowsOf(conn, table));
      expect(plain).toHaveLength(1000);
      for (const numPartitions of [1, 2, 5, 16, 40]) {
        const rows = await rowsOf(conn, table, { partitionColumn: 'k', lowerBound: 100, upperBound: 900, numPartitions });
        expect(ids(rows), `${numPartitions} partitions`).toEqual(plain);
      }
      // More partitions than distinct values in the stride.
      const narrow = await rowsOf(conn, table, { partitionColumn: 'k', lowerBound: 1, upperBound: 4, numPartitions: 10 });
      expect(ids(narrow)).toEqual(plain);
    });

    it('finds bounds itself when only the column is given', async (ctx) => {
      if (!service) ctx.skip('no PostgreSQL');
      const rows = await rowsOf(conn, table, { partitionColumn: 'k', numPartitions: 4 });
      expect(ids(rows)).toEqual(ids(await rowsOf(conn, table)));
      const plan = await conn.nativeRead(table, { partitionColumn: 'k', numPartitions: 4 });
      expect(plan.partitions).toHaveLength(4);
      expect(plan.partitions[0]!.description).toContain('IS NULL');
    });

    it('reads one partition per predicate', async (ctx) => {
      if (!service) ctx.skip('no PostgreSQL');
      const rows = await rowsOf(conn, table, { predicates: ['id <= 10', 'id > 10 AND id <= 20'], columns: ['id'] });
      expect(ids(rows)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(Object.keys(rows[0]!)).toEqual(['id']);
    });
  });

  it('keeps the old table intact when an overwrite fails halfway, and leaves no staging table', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const table = t('atomic');
    await sql(conn, `DROP TABLE IF EXISTS ${table}`);
    await conn.writeTable([{ id: 1, v: 'old' }, { id: 2, v: 'old' }], table, { mode: 'errorIfExists' });
    // A source that fails after its first batch has already been loaded into the staging table.
    const { rowsToBatches } = await import('@sparkle/engine-local');
    async function* failing() {
      for await (const b of rowsToBatches(Array.from({ length: 500 }, (_, i) => ({ id: i, v: 'new' })), { batchSize: 100 })) {
        yield b;
        if (b.numRows) throw new Error('source failed halfway');
      }
    }
    const error = await conn.writeTable(failing(), table, { mode: 'overwrite' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(SparkleError.isInstance(error)).toBe(true);
    expect((error as SparkleError).code).toBe('WRITE_FAILED');
    expect((error as Error).message).toContain('source failed halfway');
    expect(await sql(conn, `SELECT id, v FROM ${table} ORDER BY id`)).toEqual([{ id: 1n, v: 'old' }, { id: 2n, v: 'old' }]);
    const leftovers = await sql(conn, `SELECT relname FROM pg_class WHERE relname LIKE $1`, [`${table}__sparkle_stg_%`]);
    expect(leftovers).toEqual([]);
  });

  it('quotes hostile identifiers', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const hostile = `x"; DROP TABLE ${t('victim')}; --`;
    await sql(conn, `CREATE TABLE IF NOT EXISTS ${t('victim')} (id int)`);
    const quoted = `"${hostile.replace(/"/g, '""')}"`;
    await conn.writeTable([{ 'we"ird col': 1, id: 7 }], quoted, { mode: 'overwrite' });
    expect(await rowsOf(conn, quoted)).toEqual([{ 'we"ird col': 1n, id: 7n }]);
    expect(await sql(conn, `SELECT to_regclass($1) IS NOT NULL AS ok`, [t('victim')])).toEqual([{ ok: true }]);
    const tables = await conn.discover({ schema: 'public' });
    expect(tables.some((x) => x.name === hostile)).toBe(true);
    await sql(conn, `DROP TABLE ${quoted}`);
  });

  it('honours currentSchema (search_path), ApplicationName and sessionInitStatement from the config', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const schema = `sparkle_${name}_schema`;
    await sql(conn, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await using scoped = await open({
      ...service!.config,
      properties: { currentSchema: schema, ApplicationName: 'sparkle-test-app' },
      sessionInitStatement: "SET TIME ZONE 'UTC'",
    });
    await scoped.writeTable([{ id: 1 }], 'scoped_table', { mode: 'overwrite' });
    expect(await sql(conn, `SELECT count(*)::int AS n FROM ${schema}.scoped_table`)).toEqual([{ n: 1 }]);
    const settings = await collectRows(await scoped.query("SELECT current_schema() AS s, current_setting('application_name') AS app, current_setting('TimeZone') AS tz"));
    expect(settings).toEqual([{ s: schema, app: 'sparkle-test-app', tz: 'UTC' }]);
  });

  it('discovers tables with Spark types and numeric precision', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL');
    const table = t('disc');
    await sql(conn, `DROP TABLE IF EXISTS ${table}`);
    await sql(conn, `CREATE TABLE ${table} (id bigint NOT NULL, amount numeric(12,2), at timestamptz)`);
    const found = (await conn.discover()).find((x) => x.name === table);
    expect(found?.columns).toEqual([
      { name: 'id', dataType: 'bigint', sparkType: 'bigint', nullable: false },
      { name: 'amount', dataType: 'numeric(12,2)', sparkType: 'decimal(12,2)', nullable: true },
      { name: 'at', dataType: 'timestamp with time zone', sparkType: 'timestamp', nullable: true },
    ]);
  });
});

describe('postgres failures', () => {
  it('times out against a host that accepts but never answers, within the configured timeout', async () => {
    await using hole = await blackHole();
    await using conn = await open({ url: `jdbc:postgresql://127.0.0.1:${hole.port}/test`, user: 'postgres', connectTimeoutMs: 700 });
    const started = performance.now();
    const report = await conn.check({ timeoutMs: 5000 });
    expect(report.ok).toBe(false);
    expect(report.failedTier).toBe('auth');
    expect(report.steps.find((s) => s.tier === 'auth')?.error?.code).toBe('TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2500);
    // check()'s own deadline also holds when it is the shorter one.
    await using slow = await open({ url: `jdbc:postgresql://127.0.0.1:${hole.port}/test`, user: 'postgres', connectTimeoutMs: 60_000 });
    const t0 = performance.now();
    const r2 = await slow.check({ timeoutMs: 600 });
    expect(r2.steps.find((s) => s.status === 'failed')?.error?.code).toBe('TIMEOUT');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('fails typed against a closed port', async () => {
    await using conn = await open({ url: 'jdbc:postgresql://127.0.0.1:1/test', user: 'postgres' });
    const error = await conn.withSession(async () => 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SparkleError).code).toBe('CONNECTION_FAILED');
    expect((error as SparkleError).retryable).toBe(true);
  });

  // The shared server trusts loopback and PGlite has no authentication, so a wrong password is
  // tested against a private real cluster (initdb, scram-sha-256) started for this test.
  it('rejects a wrong password as AUTHENTICATION_FAILED without printing it', async (ctx) => {
    const cluster = await startPostgresCluster({ password: 'right-Password-77' });
    if ('skip' in cluster) {
      if (process.env.CI) throw new Error(cluster.skip);
      return ctx.skip(cluster.skip);
    }
    try {
      await using good = await open({ ...cluster.config });
      expect(await good.test()).toBe(true);
      await using bad = await open({ ...cluster.config, password: 'wrong-Password-13' });
      const report = await bad.check();
      expect(report.ok).toBe(false);
      expect(report.failedTier).toBe('auth');
      const step = report.steps.find((s) => s.tier === 'auth')!;
      expect(step.error?.code).toBe('AUTHENTICATION_FAILED');
      expect(step.error?.retryable).toBe(false);
      expect(JSON.stringify(report)).not.toContain('wrong-Password-13');
      const error = await bad.withSession(async () => 1).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as SparkleError).code).toBe('AUTHENTICATION_FAILED');
      expect(String(error) + JSON.stringify(error)).not.toContain('wrong-Password-13');
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
