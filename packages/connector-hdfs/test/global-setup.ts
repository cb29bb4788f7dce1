/** Starts (or finds) the HDFS minicluster once, before any test file runs (tools/services/ensure-hdfs.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  if (process.env.SPARKLE_TEST_HDFS_URL) return;
  await ensureService('hdfs', { timeoutMs: 900_000 });
}
