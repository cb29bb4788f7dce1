/** Starts (or finds) the real RabbitMQ broker (tools/services/ensure-rabbitmq.sh) once, before any test file runs. */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('rabbitmq', { timeoutMs: 600_000 });
}
