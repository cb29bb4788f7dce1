/**
 * Memory bound of the streaming read, against the real PostgreSQL server: a consumer slower than
 * the socket must not make the reader decode ahead of it by more than one waiting batch (plus
 * the one being filled), and the rows it gets are still exactly the table's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgres, type PostgresService } from '@sparkle/testkit';
import type { RecordBatch } from 'apache-arrow';
import { CopyBinaryDecoder, columnFor } from '../src/index.js';
import { CopyOutQuery } from '../src/copy-out.js';

describe('binary COPY read backpressure (server)', () => {
  let service: PostgresService | null = null;
  beforeAll(async () => {
    service = await findPostgres({ allowPglite: false });
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('decodes at most one batch ahead of a slow consumer, and every row arrives once', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL at 127.0.0.1:5432');
    const arrow = await import('apache-arrow');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ host: service!.host, port: service!.port, user: service!.user, database: service!.database });
    await client.connect();
    try {
      // ≈ 120 bytes a row: a 5000-row batch is far larger than one socket chunk, so a chunk can
      // complete at most one batch and the bound below is exact.
      const rows = 60_000;
      const batchRows = 5_000;
      const query = `SELECT g::int8 AS id, md5(g::text) || md5((g * 7)::text) AS h, (g / 3.0)::numeric(14,2) AS n FROM generate_series(1, ${rows}) g`;
      const fields = (await client.query(`SELECT * FROM (${query}) q LIMIT 0`)).fields;
      const decoder = new CopyBinaryDecoder(
        arrow,
        fields.map((f) => columnFor(f.name, f.dataTypeID, f.dataTypeModifier)),
        batchRows,
      );
      const copy = new CopyOutQuery(`COPY (${query}) TO STDOUT (FORMAT binary)`, decoder);
      void (client.query(copy as never) as unknown);

      let consumed = 0;
      let maxAhead = 0;
      let expectedId = 1n;
      const signal = AbortSignal.timeout(30_000);
      const check = (batch: RecordBatch) => {
        consumed += batch.numRows;
        const ids = batch.getChild('id')!;
        for (let i = 0; i < batch.numRows; i++) expect(ids.get(i)).toBe(expectedId++);
      };
      for await (const batch of copy.batches(signal)) {
        check(batch);
        // Rows flushed into batches the consumer has not taken yet.
        maxAhead = Math.max(maxAhead, decoder.totalRows - consumed);
        await new Promise((resolve) => setTimeout(resolve, 15));
        maxAhead = Math.max(maxAhead, decoder.totalRows - consumed);
      }
      const last = decoder.finish(consumed === 0);
      if (last) check(last);
      expect(consumed).toBe(rows);
      expect(copy.done).toBe(true);
      // The slow consumer really was behind (a batch waited), but never more than one.
      expect(maxAhead).toBe(batchRows);
      // The connection is usable again after the COPY.
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });
});
