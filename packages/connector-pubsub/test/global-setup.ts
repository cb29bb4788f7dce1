/** Starts (or finds) Google's pstest Pub/Sub fake once, before any test file runs (tools/services/ensure-pubsub.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('pubsub', { timeoutMs: 600_000 });
}
