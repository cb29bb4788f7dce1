/**
 * Starts (or finds) the real Neo4j (neo4j-harness, Bolt) once, before any test file runs
 * (tools/services/ensure-neo4j.sh), and after the last one deletes the nodes of the labels the
 * document suite made (`sparkle_ct…`).
 */
import { ensureService } from '@sparkle/testkit';
import neo4j from 'neo4j-driver';

export default async function setup(): Promise<() => Promise<void>> {
  const env = await ensureService('neo4j', { timeoutMs: 900_000 });
  return async () => {
    const driver = neo4j.driver(env.SPARKLE_TEST_NEO4J_URL!, neo4j.auth.basic(env.SPARKLE_TEST_NEO4J_USER!, env.SPARKLE_TEST_NEO4J_PASSWORD!));
    try {
      await driver.executeQuery("MATCH (n) WHERE any(l IN labels(n) WHERE l STARTS WITH 'sparkle_ct') DETACH DELETE n");
    } finally {
      await driver.close();
    }
  };
}
