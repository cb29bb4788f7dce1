/** Starts (or finds) fake-gcs-server once, before any test file runs (tools/services/ensure-fake-gcs.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  if (process.env.SPARKLE_TEST_GCS_ENDPOINT) return;
  await ensureService('fake-gcs', { timeoutMs: 1_500_000 });
}
