/** Starts (or finds) the real clickhouse server once, before any test file runs (tools/services/ensure-clickhouse.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('clickhouse', { timeoutMs: 600_000 });
}
