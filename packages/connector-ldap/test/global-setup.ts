/** Starts (or finds) the real OpenLDAP server once, before any test file runs (tools/services/ensure-slapd.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('slapd', { timeoutMs: 600_000 });
}
