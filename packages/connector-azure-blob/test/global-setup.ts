/** Starts (or finds) Azurite's Blob service once, before any test file runs (tools/services/ensure-azurite.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('azurite', { timeoutMs: 600_000 });
}
