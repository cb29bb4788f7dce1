/** The config of the real Neo4j the global setup started (tools/services/ensure-neo4j.sh). */
export function liveConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uri: process.env.SPARKLE_TEST_NEO4J_URL ?? 'bolt://127.0.0.1:7687',
    username: process.env.SPARKLE_TEST_NEO4J_USER ?? 'neo4j',
    password: process.env.SPARKLE_TEST_NEO4J_PASSWORD ?? 'sparkle-test-pw',
    ...extra,
  };
}
