/**
 * Starts (or finds) the real HBase — standalone master + region server with its REST gateway,
 * tools/services/ensure-hbase.sh — once, before any test file runs.
 */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('hbase', { timeoutMs: 600_000 });
}
