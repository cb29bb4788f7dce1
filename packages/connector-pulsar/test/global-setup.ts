/** Starts (or finds) the real Pulsar standalone broker (tools/services/ensure-pulsar.sh) once, before any test file runs. */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('pulsar', { timeoutMs: 600_000 });
}
