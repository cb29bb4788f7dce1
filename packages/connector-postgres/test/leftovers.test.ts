/**
 * Issue 10 item 20: a writer killed mid-overwrite (SIGKILL) leaves its staging table behind;
 * the old table stays intact, and the next write to the same target — or `cleanLeftovers()` /
 * `sparkle clean` — removes the leftover, but only ours and only when no live writer owns it.
 * Against the real PostgreSQL server, with a real child process killed with SIGKILL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanLeftovers, getConnection, newWriteToken, stagingTableName, takeWriterLease, type JdbcSession } from '@sparkle/core';
import { collectRows, findPostgres, type PostgresService } from '@sparkle/testkit';
import '../src/index.js';
import type { PostgreSQLConnection } from '../src/index.js';

const pkgDir = join(import.meta.dirname, '..');
const stateDir = mkdtempSync(join(tmpdir(), 'sparkle-leases-'));
const TABLE = 'sparkle_pg_leftover_orders';
let service: PostgresService | null = null;
let conn: PostgreSQLConnection;

const sql = (text: string, params: unknown[] = []) => conn.withSession((s: JdbcSession) => s.queryRows(text, params));
const stagingTables = async () =>
  (await sql(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1 ORDER BY 1`, [`${TABLE}\\_\\_sparkle\\_%`])).map((r) => String(r.tablename));
const batches = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) }).batches;
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

beforeAll(async () => {
  process.env.SPARKLE_STATE_DIR = stateDir;
  service = await findPostgres({ allowPglite: false });
  if (!service) {
    if (process.env.CI) throw new Error('PostgreSQL server required in CI (tools/services/ensure-postgres.sh)');
    return;
  }
  conn = await getConnection<PostgreSQLConnection>('postgres', { config: service.config, dotenv: false, variables: {} });
});

afterAll(async () => {
  if (conn) {
    for (const t of await stagingTables()) await sql(`DROP TABLE IF EXISTS "${t}"`);
    await sql(`DROP TABLE IF EXISTS ${TABLE}`);
    await conn.close();
  }
  rmSync(stateDir, { recursive: true, force: true });
});

describe('leftovers of interrupted writes (postgres)', () => {
  it('a writer killed with SIGKILL mid-overwrite leaves the old table intact; the next write removes its staging table', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL server');
    await conn.writeTable(batches([1, 2, 3]), TABLE, { mode: 'overwrite' });
    // The child overwrites the table with a source that yields one batch and then never ends.
    const script = `
      import { getConnection } from '@sparkle/core';
      import { tableFromArrays } from 'apache-arrow';
      import './src/index.ts';
      const conn = await getConnection('postgres', { config: ${JSON.stringify(service!.config)}, dotenv: false, variables: {} });
      async function* forever() { yield* tableFromArrays({ id: Int32Array.from([7, 8, 9]) }).batches; await new Promise(() => {}); }
      await conn.writeTable(forever(), ${JSON.stringify(TABLE)}, { mode: 'overwrite' });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: pkgDir, env: { ...process.env, SPARKLE_STATE_DIR: stateDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      // Bounded wait for the child's staging table to appear.
      for (let i = 0; i < 300 && (await stagingTables()).length === 0; i++) {
        if (child.exitCode !== null) throw new Error(`the writer exited early: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await stagingTables()).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const [leftover] = await stagingTables();
    expect(leftover).toMatch(/__sparkle_stg_[0-9a-z]{13}$/);
    // The old data is intact, and the leftover is found as ours.
    expect((await collectRows(await conn.readTable(TABLE))).map((r) => r.id)).toEqual([1, 2, 3]);
    const found = await conn.findLeftovers({ scope: 'public' });
    expect(found.map((l) => l.name)).toContain(`public.${leftover}`);
    // A dry run says it would go (its writer is gone), and removes nothing.
    const dry = await cleanLeftovers(conn, { scope: 'public', dryRun: true });
    expect(dry.find((l) => l.name === `public.${leftover}`)).toMatchObject({ action: 'would-remove', reason: expect.stringMatching(/is gone/) });
    expect(await stagingTables()).toEqual([leftover]);
    // The next write to the same target removes it and writes normally.
    await conn.writeTable(batches([4, 5]), TABLE, { mode: 'overwrite' });
    expect(await stagingTables()).toEqual([]);
    expect((await collectRows(await conn.readTable(TABLE))).map((r) => r.id)).toEqual([4, 5]);
  });

  it('keeps a staging table a running writer owns, and one whose owner is unknown until it is old enough', async (ctx) => {
    if (!service) ctx.skip('no PostgreSQL server');
    const live = newWriteToken();
    const unknown = newWriteToken();
    const dead = newWriteToken();
    const lease = await takeWriterLease(live, { connector: 'postgres', target: TABLE });
    // A dead writer's lease: a pid that has exited.
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(stateDir, 'writers'), { recursive: true });
    writeFileSync(join(stateDir, 'writers', `${dead}.json`), JSON.stringify({ token: dead, pid: deadPid(), host: (await import('node:os')).hostname(), connector: 'postgres', target: TABLE, startedAt: new Date().toISOString() }));
    try {
      for (const token of [live, unknown, dead]) await sql(`CREATE TABLE "${stagingTableName(TABLE, token)}" (id int)`);
      // A table that only looks similar is never ours.
      await sql(`CREATE TABLE "${TABLE}__sparkle_stg_notatoken"  (id int)`);
      await conn.writeTable(batches([6]), TABLE, { mode: 'append' });
      const left = await stagingTables();
      expect(left).toContain(stagingTableName(TABLE, live));
      expect(left).toContain(stagingTableName(TABLE, unknown));
      expect(left).toContain(`${TABLE}__sparkle_stg_notatoken`);
      expect(left).not.toContain(stagingTableName(TABLE, dead));
      // `sparkle clean --older-than 0` removes the unknown one, never the live one or the look-alike.
      const cleaned = await cleanLeftovers(conn, { scope: 'public', olderThanMs: 0 });
      expect(cleaned.find((l) => l.name.endsWith(unknown))?.action).toBe('removed');
      expect(cleaned.find((l) => l.name.endsWith(live))).toMatchObject({ action: 'kept', reason: expect.stringContaining(`pid ${process.pid}`) });
      expect(await stagingTables()).toEqual([stagingTableName(TABLE, live), `${TABLE}__sparkle_stg_notatoken`].sort());
      await expect(conn.removeLeftover({ kind: 'table', name: `public.${TABLE}__sparkle_stg_notatoken`, target: TABLE, token: 'notatoken' })).rejects.toThrow(/not a leftover of a Sparkle write/);
    } finally {
      await lease.release();
      await sql(`DROP TABLE IF EXISTS "${TABLE}__sparkle_stg_notatoken"`);
    }
  });
});
