/** Starts (or finds) the real Kafka broker (KRaft, tools/services/ensure-kafka.sh) once, before any test file runs. */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('kafka', { timeoutMs: 600_000 });
}
