/**
 * The Spark JDBC options every JDBC connector must produce, checked once here instead of by hand
 * in sixteen test files: Spark's `jdbc` source option names (`url`, `driver`, `dbtable`,
 * `partitionColumn`/`lowerBound`/`upperBound`/`numPartitions`, `fetchsize`, `batchsize`,
 * predicates), identifiers quoted by the connector's own dialect, and secrets marked.
 * `testConnector` runs these for every connection that is a `JDBCConnection` with `spark: true`.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, JDBCConnection, type SparkleConnection, type WriteMode } from '@sparkle/core';

type Open = (config: Record<string, unknown>) => Promise<SparkleConnection<object>>;

/** Registers the JDBC Spark-option checks (call inside a `describe`). */
export function jdbcSparkChecks(open: Open, validConfig: Record<string, unknown>, enabled: boolean): void {
  const withJdbc = async <T>(check: (conn: JDBCConnection) => T | Promise<T>, ctx: { skip: (note?: string) => void }) => {
    const conn = await open(validConfig);
    try {
      if (!(conn instanceof JDBCConnection)) {
        ctx.skip('not a JDBCConnection');
        return;
      }
      await check(conn);
    } finally {
      await conn.close();
    }
  };

  describe('Spark JDBC options (shared)', () => {
    it.skipIf(!enabled)('reads with the jdbc format, url, driver and credentials; the password is a secret option', async (ctx) => {
      await withJdbc((conn) => {
        const spec = conn.sparkRead('orders', {});
        expect(spec.format).toBe('jdbc');
        expect(spec.options.url).toMatch(/^jdbc:[a-z0-9:]+/i);
        // (The subprotocol may differ from the connector's own: MariaDB is given to Spark as jdbc:mysql, which Spark's dialects know.)
        const driver = (conn.config as { driver?: string }).driver ?? conn.jdbcDefaults.driver;
        if (driver) expect(spec.options.driver).toBe(driver);
        expect(spec.options.dbtable).toBe(conn.quoteTable('orders'));
        const password = (conn.config as { password?: string }).password;
        if (password) {
          expect(spec.options.password).toBe(password);
          expect(spec.secretOptions).toContain('password');
        }
      }, ctx);
    });

    it.skipIf(!enabled)("partitions with Spark's four options, stringified, the column quoted by the dialect", async (ctx) => {
      await withJdbc((conn) => {
        const spec = conn.sparkRead('orders', { partitionColumn: 'order_id', lowerBound: 0, upperBound: 1_000_000n, numPartitions: 8 });
        expect(spec.options).toMatchObject({ partitionColumn: conn.quoteColumn('order_id'), lowerBound: '0', upperBound: '1000000', numPartitions: '8' });
        const dated = conn.sparkRead('orders', { partitionColumn: 'created', lowerBound: new Date('2024-01-01T00:00:00Z'), upperBound: '2024-12-31', numPartitions: 4 });
        expect(dated.options.lowerBound).toMatch(/^2024-01-01/);
        expect(dated.options.upperBound).toBe('2024-12-31');
      }, ctx);
    });

    it.skipIf(!enabled)('refuses a partition column without bounds and partitions (Spark needs all four)', async (ctx) => {
      await withJdbc((conn) => {
        expect(() => conn.sparkRead('orders', { partitionColumn: 'order_id', numPartitions: 4 })).toThrow(InvalidArgumentError);
      }, ctx);
    });

    it.skipIf(!enabled)('passes predicates through (one Spark partition each) without stride options', async (ctx) => {
      await withJdbc((conn) => {
        const spec = conn.sparkRead('orders', { predicates: ['region = 1', 'region = 2'] });
        expect(spec.predicates).toEqual(['region = 1', 'region = 2']);
        expect(spec.options.partitionColumn).toBeUndefined();
      }, ctx);
    });

    it.skipIf(!enabled)('pushes a projection and a filter down as a derived table of quoted columns', async (ctx) => {
      await withJdbc((conn) => {
        const spec = conn.sparkRead('orders', { columns: ['id', 'total'], where: 'total > 10', fetchSize: 5000 });
        expect(spec.options.dbtable).toContain(conn.quoteColumn('id'));
        expect(spec.options.dbtable).toContain(conn.quoteTable('orders'));
        expect(spec.options.dbtable).toMatch(/^\(SELECT .* WHERE .*total > 10.*\) \w+$/s);
        expect(spec.options.fetchsize).toBe('5000');
      }, ctx);
    });

    it.skipIf(!enabled)('quotes a hostile table name so it stays one identifier', async (ctx) => {
      await withJdbc((conn) => {
        const hostile = 'x"; DROP TABLE y; --';
        const dbtable = conn.sparkRead(hostile, {}).options.dbtable!;
        expect(dbtable).toBe(conn.quoteTable(hostile));
        // Whatever the quote character, the statement separator never appears outside quotes.
        expect(dbtable).not.toMatch(/^[^"`[]*;/);
      }, ctx);
    });

    it.skipIf(!enabled)("writes with Spark's save modes, batchsize and the quoted table", async (ctx) => {
      await withJdbc((conn) => {
        expect(conn.sparkWrite('orders_out', {}).mode).toBe('errorIfExists');
        for (const mode of ['append', 'overwrite', 'errorIfExists', 'ignore'] as WriteMode[]) {
          const spec = conn.sparkWrite('orders_out', { mode, batchSize: 2500 });
          expect(spec.format).toBe('jdbc');
          expect(spec.mode).toBe(mode);
          expect(spec.options).toMatchObject({ dbtable: conn.quoteTable('orders_out'), batchsize: '2500' });
        }
      }, ctx);
    });
  });
}
