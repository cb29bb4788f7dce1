/** Starts (or finds) the real OpenSSH server once, before any test file runs (tools/services/ensure-sshd.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('sshd', { timeoutMs: 600_000 });
}
