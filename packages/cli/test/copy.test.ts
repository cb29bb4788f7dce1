import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { unregisterConnection } from '@sparkle/core';
import { main, parseEndpoint, type CopyResult } from '../src/index.js';
import { memtables } from './fixtures/fake-connections.js'; // registers fake_db and memtable
import { run, tempTree } from './helpers.js';

let tree: ReturnType<typeof tempTree>;
const rows = [1, 2, 3, 4, 5].map((id) => ({ id, name: `customer ${id}`, score: id * 1.5 }));

beforeAll(() => {
  tree = tempTree({
    'config/connections/memtable/common.json': {},
    // The 'broken' env's store fails after 3 rows, like a disk filling up mid-write.
    'config/connections/memtable/broken.json': { failAfterRows: 3 },
    'config/connections/memtable/slow.json': { readDelayMs: 50 },
  });
});
beforeEach(() => {
  memtables.clear();
  memtables.set('customers', rows);
});
afterAll(() => {
  tree.cleanup();
  unregisterConnection('fake_db');
  unregisterConnection('memtable');
});

const base = () => ['--config-dir', join(tree.dir, 'config')];

describe('sparkle copy', () => {
  it('copies every row, reports counts and writes the run lineage to --lineage-file', async () => {
    const lineageFile = join(tree.dir, 'lineage.ndjson');
    const result = await run(['copy', 'memtable:customers', 'memtable:customers_copy', '--lineage-file', lineageFile, ...base()], { cwd: tree.dir, env: {} });
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    // Integers travel as Arrow int64, so they land as bigints.
    expect(memtables.get('customers_copy')).toEqual(rows.map((r) => ({ ...r, id: BigInt(r.id) })));
    expect(result.stdout).toMatch(/^copied 5 rows \(80 B\) from memtable:customers to memtable:customers_copy in \d+/m);
    expect(result.stdout).toMatch(/^lineage: run [0-9a-f-]{36} sent via file/m);

    const events = readFileSync(lineageFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { eventType: string; job: { name: string }; run: { runId: string; facets?: Record<string, { run?: { runId: string } }> } });
    const runId = /run ([0-9a-f-]{36})/.exec(result.stdout)![1];
    const copyEvents = events.filter((e) => e.run.runId === runId);
    expect(copyEvents.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    // The read and the write are child runs of the copy.
    const children = events.filter((e) => e.run.facets?.parent?.run?.runId === runId);
    expect(children.length).toBeGreaterThanOrEqual(2);
  });

  it('--json prints a stable summary', async () => {
    const result = await run(['copy', 'memtable:customers', 'memtable:out', '--json', '--quiet', '--columns', 'id,name', ...base()], { cwd: tree.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const body = result.json<CopyResult>();
    expect(body).toMatchObject({
      ok: true,
      source: { type: 'memtable', table: 'customers', env: 'dev' },
      target: { type: 'memtable', table: 'out', env: 'dev', mode: 'errorIfExists' },
      rows: 5,
      written: true,
      lineage: { enabled: false },
    });
  });

  it('an existing target with the default mode fails with exit 1 and a hint', async () => {
    memtables.set('taken', [{ id: 99 }]);
    const result = await run(['copy', 'memtable:customers', 'memtable:taken', '--quiet', ...base()], { cwd: tree.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: \[TABLE_EXISTS\] memtable 'taken' already exists/m);
    expect(result.stderr).toMatch(/^hint: choose --mode overwrite/m);
    expect(memtables.get('taken')).toEqual([{ id: 99 }]);
  });

  it('a write failing halfway exits 1 and leaves the previous target intact', async () => {
    memtables.set('gold', [{ id: 42 }]);
    const result = await run(['copy', 'memtable:customers', 'memtable:gold', '--mode', 'overwrite', '--target-env', 'broken', '--json', '--quiet', ...base()], { cwd: tree.dir });
    expect(result.code).toBe(1);
    const body = result.json<CopyResult>();
    expect(body.ok).toBe(false);
    expect(body.target.env).toBe('broken');
    expect(body.error?.code).toBe('WRITE_FAILED');
    expect(result.stderr).toMatch(/^error: \[WRITE_FAILED\]/m);
    expect(memtables.get('gold')).toEqual([{ id: 42 }]);
  });

  it('--mode append adds to the target; ignore leaves it alone', async () => {
    memtables.set('t', [{ id: 0, name: 'zero', score: 0 }]);
    expect((await run(['copy', 'memtable:customers', 'memtable:t', '--mode', 'append', '--quiet', ...base()], { cwd: tree.dir })).code).toBe(0);
    expect(memtables.get('t')).toHaveLength(6);
    const ignored = await run(['copy', 'memtable:customers', 'memtable:t', '--mode', 'ignore', '--quiet', ...base()], { cwd: tree.dir });
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toContain('already exists: nothing written (mode ignore)');
    expect(memtables.get('t')).toHaveLength(6);
  });

  it('progress: plain lines when stderr is not a terminal, a redrawn bar when it is', async () => {
    const plain = await run(['copy', 'memtable:customers', 'memtable:p1', ...base()], { cwd: tree.dir });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^progress: \d+\/~?5 rows {2}\d+ B/m);
    expect(plain.stderr).not.toContain('\r');
    const tty = await run(['copy', 'memtable:customers', 'memtable:p2', ...base()], { cwd: tree.dir, tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr).toContain('\r\u001b[K');
    expect(tty.stderr).toMatch(/\[[#-]{24}\]\s+\d+%/);
  });

  it('bad input: malformed endpoints, a bad mode, bounds without a column, an unknown type', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['copy', 'customers', 'memtable:x'], /The source 'customers' is not <type>:<table or path>/],
      [['copy', 'memtable:customers'], /Expected <source> and <target>, got 1 argument/],
      [['copy', 'memtable:a', 'memtable:b', '--mode', 'upsert'], /--mode must be one of/],
      [['copy', 'memtable:a', 'memtable:b', '--num-partitions', '4'], /need --partition-column/],
      [['copy', 'memtabel:a', 'memtable:b'], /\[UNKNOWN_CONNECTION_TYPE\].*Did you mean 'memtable'/],
    ];
    for (const [argv, message] of cases) {
      const result = await run([...argv, ...base()], { cwd: tree.dir });
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(message);
    }
  });

  it('an interrupt (the executable wires Ctrl-C to io.signal) stops the copy: exit 1, target untouched', async () => {
    memtables.set('big', Array.from({ length: 200 }, (_, id) => ({ id })));
    memtables.set('kept', [{ id: 7 }]);
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Error('interrupted (Ctrl-C)')), 150);
    let stderr = '';
    const started = Date.now();
    const code = await main(['copy', 'memtable:big', 'memtable:kept', '--mode', 'overwrite', '--source-env', 'slow', '--quiet', ...base()], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: { OPENLINEAGE_DISABLED: 'true' },
      cwd: tree.dir,
      signal: interrupt.signal,
    });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(3000); // 100 batches × 50 ms would take 5 s
    expect(stderr).toMatch(/^error: \[ABORTED\] .*aborted/m);
    expect(memtables.get('kept')).toEqual([{ id: 7 }]);
  });

  it('a file target needs no config file: parquet:./out/x.parquet lands under the working directory, and the line says where', async () => {
    const parquetConnector = resolve(import.meta.dirname, '../../connector-parquet/src/index.ts');
    const previous = process.cwd();
    // The config dir holds memtable only; parquet's basePath defaults to the working directory.
    process.chdir(tree.dir);
    try {
      const result = await run(['copy', 'memtable:customers', 'parquet:./out/x.parquet', '--quiet', '--require', parquetConnector, ...base()], { cwd: tree.dir, env: {} });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const written = join(process.cwd(), 'out', 'x.parquet');
      expect(existsSync(written)).toBe(true);
      expect(result.stdout).toMatch(new RegExp(`^copied 5 rows .* to parquet:\\./out/x\\.parquet \\(file ${written.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) in `, 'm'));
      const back = await run(['copy', 'parquet:out/x.parquet', 'memtable:from_parquet', '--quiet', '--require', parquetConnector, ...base()], { cwd: tree.dir, env: {} });
      expect(back.code).toBe(0);
      expect(memtables.get('from_parquet')).toEqual(rows.map((r) => ({ ...r, id: BigInt(r.id) })));
    } finally {
      process.chdir(previous);
    }
  });

  it('parseEndpoint splits at the first colon only', () => {
    expect(parseEndpoint('local:s3://bucket/key', 'target')).toEqual({ type: 'local', table: 's3://bucket/key' });
    expect(parseEndpoint('postgres:public.customers', 'source')).toEqual({ type: 'postgres', table: 'public.customers' });
  });
});
