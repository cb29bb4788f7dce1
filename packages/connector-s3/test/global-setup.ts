/** Starts (or finds) the moto server once, before any test file runs (tools/services/ensure-moto.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('moto', { timeoutMs: 600_000 });
}
