/** The testkit's own helpers, against real sockets, files and servers. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blackHole, findPostgres, MemoryLineageClient, normaliseRows, SAMPLE_ROWS, sampleTable, startPglite, tcpOpen, tempDir } from '../src/index.js';

describe('service helpers', () => {
  it('tcpOpen sees a listening socket and a closed port', async () => {
    await using hole = await blackHole();
    expect(await tcpOpen(hole.host, hole.port)).toBe(true);
    expect(await tcpOpen('127.0.0.1', 1)).toBe(false);
  });

  it('blackHole accepts and never answers', async () => {
    await using hole = await blackHole();
    const { connect } = await import('node:net');
    const answered = await new Promise<boolean>((resolve) => {
      const s = connect({ host: hole.host, port: hole.port });
      s.once('data', () => resolve(true));
      s.once('connect', () => s.write('hello'));
      setTimeout(() => {
        s.destroy();
        resolve(false);
      }, 300);
    });
    expect(answered).toBe(false);
  });

  it('tempDir is created and removed', async () => {
    let path = '';
    {
      await using dir = await tempDir('testkit-');
      path = dir.path;
      expect(existsSync(path)).toBe(true);
    }
    expect(existsSync(path)).toBe(false);
  });

  it('startPglite serves real PostgreSQL over the wire', async () => {
    const pg = await startPglite();
    try {
      const { default: Pg } = await import('pg');
      const client = new Pg.Client({ host: pg.host, port: pg.port, user: pg.user, database: pg.database });
      await client.connect();
      expect((await client.query('SELECT 1 + 1 AS two')).rows).toEqual([{ two: 2 }]);
      await client.end();
      expect(pg.config).toEqual({ url: `jdbc:postgresql://127.0.0.1:${pg.port}/postgres`, user: 'postgres' });
    } finally {
      await pg.stop();
    }
    // PGlite compiles its WebAssembly Postgres on start: ~30 s of CPU on a loaded 2-core machine.
  }, 180_000);

  it('findPostgres prefers the machine server when it answers', async () => {
    const pg = await findPostgres();
    expect(pg).not.toBeNull();
    if (pg!.source === 'server') expect(pg!.url).toBe('jdbc:postgresql://127.0.0.1:5432/test');
    await pg!.stop();
  });
});

describe('lineage and sample', () => {
  it('MemoryLineageClient records one START and one terminal event per run', async () => {
    const client = new MemoryLineageClient();
    const run = client.run({ jobName: 'j', operation: 'read', connectionType: 't', inputs: [], outputs: [] });
    await run.start();
    await run.complete({ rows: 1 });
    await run.fail(new Error('late'));
    expect(client.events.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
  });

  it('sampleTable holds the sample rows', () => {
    const table = sampleTable();
    expect(table.numRows).toBe(SAMPLE_ROWS.length);
    expect(normaliseRows(table.toArray().map((r) => r.toJSON()))).toEqual(normaliseRows(SAMPLE_ROWS as never));
  });
});
