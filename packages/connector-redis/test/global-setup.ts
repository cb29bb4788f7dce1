/**
 * Starts (or finds) the real Redis server once, before any test file runs
 * (tools/services/ensure-redis.sh), and empties database 7 — this package's test database — so
 * the key space the tests scan holds only what they write.
 */
import { createClient } from 'redis';
import { ensureService } from '@sparkle/testkit';

export const TEST_DATABASE = 7;

async function flush(): Promise<void> {
  const url = process.env.SPARKLE_TEST_REDIS_URL;
  if (!url) return;
  const client = createClient({ url, database: TEST_DATABASE });
  await client.connect();
  await client.flushDb();
  await client.close();
}

export default async function setup(): Promise<() => Promise<void>> {
  await ensureService('redis', { timeoutMs: 600_000 });
  await flush();
  return flush;
}
