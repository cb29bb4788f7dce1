/** Starts (or finds) the gofakes3 server once, before any test file runs (tools/services/ensure-gofakes3.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('gofakes3', { timeoutMs: 600_000 });
}
