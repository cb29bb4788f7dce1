/**
 * `sparkle copy` between local files and Azure Blob Storage (the REAL Blob API, Azurite), as a
 * user runs it: connections from config files with the key as a `${VAR}` reference, a CSV file
 * copied into a partitioned Parquet directory in the container, and back into a CSV file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '@sparkle/cli';
import '@sparkle/connector-local';
import '../src/index.js';
import { azurite, freshContainer } from './azurite.js';

let dir: string;
beforeAll(async () => {
  const a = azurite();
  const { container } = await freshContainer('copy');
  dir = mkdtempSync(join(tmpdir(), 'sparkle-azure-copy-'));
  mkdirSync(join(dir, 'config/connections/azure_blob'), { recursive: true });
  mkdirSync(join(dir, 'config/connections/local'), { recursive: true });
  writeFileSync(join(dir, 'config/connections/azure_blob/dev.json'), JSON.stringify({ account: a.account, container, endpoint: a.url, auth: { type: 'accountKey', accountKey: '${AZURE_STORAGE_KEY}' } }));
  writeFileSync(join(dir, 'config/connections/local/dev.json'), JSON.stringify({ basePath: dir }));
  writeFileSync(join(dir, 'orders.csv'), 'id,region,amount\n1,north,10.5\n2,south,3\n3,north,7.25\n4,east,1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sparkle(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...args, '--config-dir', join(dir, 'config'), '--quiet'], {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { AZURE_STORAGE_KEY: azurite().key },
    cwd: dir,
  });
  return { code, out, err };
}

it('copies a CSV file into a partitioned Parquet directory in the container, and back', async () => {
  const up = await sparkle(['copy', 'local:orders.csv', 'azure_blob:lake/orders.parquet', '--partition-by', 'region']);
  expect(up.err).toBe('');
  expect(up.code).toBe(0);
  expect(up.out).toMatch(/copied 4 rows/);
  const down = await sparkle(['copy', 'azure_blob:lake/orders.parquet', 'local:back.csv']);
  expect(down.code).toBe(0);
  const lines = readFileSync(join(dir, 'back.csv'), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('id,amount,region');
  expect(lines.slice(1).sort()).toEqual(['1,10.5,north', '2,3,south', '3,7.25,north', '4,1,east'].sort());
  expect(up.out + up.err + down.out + down.err).not.toContain(azurite().key);
});
