/**
 * The READMEs' `sparkle copy` lines run as written (issue 10 items 1 and 2), against the real
 * PostgreSQL (or a private PGlite): each line is taken from the README text, split like a shell
 * would, and run in-process. On a shared server the lines get a database of their own, so
 * `public.customers` is ours alone. A failed read into Parquet names the source's problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, unregisterConnection, type JDBCConnection } from '@sparkle/core';
import { findPostgres, type PostgresService } from '@sparkle/testkit';
import { run, tempTree } from './helpers.js';

const repo = resolve(import.meta.dirname, '../../..');
const postgresConnector = resolve(repo, 'packages/connector-postgres/src/index.ts');
const parquetConnector = resolve(repo, 'packages/connector-parquet/src/index.ts');
const requires = ['--require', postgresConnector, '--require', parquetConnector];

/** Every `sparkle copy …` command in a Markdown file's code blocks, continuation lines joined, as argv. */
function copyLines(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of fencedBlocks(markdown, ['bash', 'sh', 'shell', ''])) {
    const text = block.replace(/\\\n\s*/g, ' ');
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      const match = /^(?:pnpm\s+)?sparkle\s+(copy\s.*)$/.exec(line);
      if (match) commands.push(match[1]!.split(/\s+/));
    }
  }
  return commands;
}

/** The bodies of the fenced code blocks whose language is one of `languages`. */
function fencedBlocks(markdown: string, languages: string[]): string[] {
  const blocks: string[] = [];
  let open: { language: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    const fence = /^```\s*([\w-]*)\s*$/.exec(line);
    if (fence && !open) open = { language: fence[1]!, lines: [] };
    else if (fence && open) {
      if (languages.includes(open.language)) blocks.push(open.lines.join('\n'));
      open = undefined;
    } else open?.lines.push(line);
  }
  return blocks;
}

let pg: PostgresService | null;
let tree: ReturnType<typeof tempTree>;
let database: string;
let url: string;
const privateDatabase = `sparkle_readme_${process.pid}`;

async function sqlOn(target: string, statement: string): Promise<Array<Record<string, unknown>>> {
  await using conn = await getConnection<JDBCConnection>('postgres', { config: { ...pg!.config, url: target }, dotenv: false, variables: {} });
  return conn.withSession((session) => session.queryRows(statement));
}

beforeAll(async () => {
  await import(postgresConnector);
  pg = await findPostgres();
  if (!pg) return;
  // A shared server gets a private database for `public.customers`; PGlite is private already.
  database = pg.source === 'server' || pg.source === 'env' ? privateDatabase : pg.database;
  url = `jdbc:postgresql://${pg.host}:${pg.port}/${database}`;
  if (database === privateDatabase) {
    await sqlOn(pg.url, `DROP DATABASE IF EXISTS ${privateDatabase}`);
    await sqlOn(pg.url, `CREATE DATABASE ${privateDatabase}`);
  }
  await sqlOn(url, 'DROP TABLE IF EXISTS public.customers');
  await sqlOn(url, 'CREATE TABLE public.customers (customer_id bigint PRIMARY KEY, name text, balance double precision)');
  await sqlOn(url, `INSERT INTO public.customers SELECT g, 'customer ' || g, g * 1.25 FROM generate_series(1, 120) g`);
  const side = { url, user: '${PG_USER}', password: '${PG_PASSWORD:-}' };
  tree = tempTree({
    'config/connections/postgres/common.json': { driver: 'org.postgresql.Driver' },
    'config/connections/postgres/dev.json': side,
    'config/connections/postgres/prod.json': side,
    // Relative Parquet paths resolve against basePath (the connector's rule): the temp dir.
    'config/connections/parquet/common.json': (dir: string) => ({ basePath: dir }),
  });
}, 60_000);

afterAll(async () => {
  if (pg) {
    if (database === privateDatabase) await sqlOn(pg.url, `DROP DATABASE IF EXISTS ${privateDatabase} WITH (FORCE)`).catch(() => undefined);
    else await sqlOn(url, 'DROP TABLE IF EXISTS public.customers').catch(() => undefined);
    await pg.stop();
  }
  tree?.cleanup();
  unregisterConnection('fake_db');
});

const env = () => ({ PG_USER: pg!.user, ...(pg!.password ? { PG_PASSWORD: pg!.password } : {}) });

describe("the READMEs' copy lines", () => {
  const lines = [...copyLines(readFileSync(join(repo, 'README.md'), 'utf8')), ...copyLines(readFileSync(join(repo, 'packages/cli/README.md'), 'utf8'))];

  it('are found (one in the root README, one in the CLI README)', () => {
    expect(lines.length).toBeGreaterThanOrEqual(2);
  });

  it('run as written and copy every row', async () => {
    // Once without --mode (errorIfExists on a fresh out/), then the CLI README's --mode overwrite.
    for (const argv of lines) {
      const result = await run([...requires, ...argv, '--quiet'], { env: env(), cwd: tree.dir });
      expect(result.stderr, argv.join(' ')).toBe('');
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^copied 120 rows /m);
    }
    expect(existsSync(join(tree.dir, 'out/customers.parquet'))).toBe(true);
  });

  it('a read that fails (missing table) reports the source error, not the Parquet writer', async () => {
    const result = await run([...requires, 'copy', 'postgres:public.no_such_customers', 'parquet:./out/none.parquet', '--quiet'], { env: env(), cwd: tree.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no_such_customers/);
    expect(result.stderr).toMatch(/does not exist/);
    expect(result.stderr).not.toMatch(/Dyn casting/);
    expect(existsSync(join(tree.dir, 'out/none.parquet'))).toBe(false);
  });

  it('partitioning on a text column reports the source error, not the Parquet writer', async () => {
    const result = await run([...requires, 'copy', 'postgres:public.customers', 'parquet:./out/bad.parquet', '--partition-column', 'name', '--num-partitions', '2', '--quiet'], {
      env: env(),
      cwd: tree.dir,
    });
    expect(result.code, result.stderr).not.toBe(0);
    expect(result.stderr).not.toMatch(/Dyn casting/);
    expect(result.stderr).toMatch(/not a number, date or timestamp/);
    expect(existsSync(join(tree.dir, 'out/bad.parquet'))).toBe(false);
  });

  it('TABLE_EXISTS on Parquet hints only modes Parquet supports (no append)', async () => {
    const first = await run([...requires, 'copy', 'postgres:public.customers', 'parquet:./out/twice.parquet', '--quiet'], { env: env(), cwd: tree.dir });
    expect(first.code, first.stderr).toBe(0);
    const second = await run([...requires, 'copy', 'postgres:public.customers', 'parquet:./out/twice.parquet', '--quiet'], { env: env(), cwd: tree.dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^error: \[TABLE_EXISTS\]/m);
    expect(second.stderr).toMatch(/^hint: choose --mode overwrite \(atomic replace\) or --mode ignore$/m);
    // Never suggests the mode that cannot work (the message may say why: 'cannot be appended to').
    expect(second.stderr).not.toMatch(/--mode append|mode 'append'|'overwrite', 'append'/);
    const appended = await run([...requires, 'copy', 'postgres:public.customers', 'parquet:./out/twice.parquet', '--mode', 'append', '--quiet'], { env: env(), cwd: tree.dir });
    expect(appended.code).toBe(1);
    expect(appended.stderr).toMatch(/does not support mode 'append'; use 'overwrite', 'errorIfExists' or 'ignore'/);
  });

  it('copy --help says the partition flags go together', async () => {
    const result = await run(['copy', '--help']);
    expect(result.stdout).toMatch(/these flags go together/);
    expect(result.stdout).toMatch(/--num-partitions <n>.*with --partition-column/);
  });
});
