/**
 * Starts (or finds) the MongoDB wire-compatible test server once — FerretDB over SQLite
 * (tools/services/ensure-ferretdb.sh) — and drops this package's test database before and after
 * the run, so each run starts empty.
 */
import { MongoClient } from 'mongodb';
import { ensureService } from '@sparkle/testkit';

export const TEST_DATABASE = 'sparkle_connector_mongodb';

async function drop(): Promise<void> {
  const url = process.env.SPARKLE_TEST_MONGODB_URL;
  if (!url) return;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.db(TEST_DATABASE).dropDatabase();
  } finally {
    await client.close();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  await ensureService('ferretdb', { timeoutMs: 900_000 });
  await drop();
  return drop;
}
