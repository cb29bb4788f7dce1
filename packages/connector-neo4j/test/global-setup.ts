/** Starts (or finds) the real Neo4j (neo4j-harness, Bolt) once, before any test file runs (tools/services/ensure-neo4j.sh). */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('neo4j', { timeoutMs: 900_000 });
}
