/** Starts (or finds) the real mariadb server once, before any test file runs (tools/services/ensure-mariadb.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('mariadb', { timeoutMs: 600_000 });
}
