/**
 * Starts (or finds) the real OpenSearch node (tools/services/ensure-opensearch.sh →
 * SPARKLE_TEST_OPENSEARCH_URL) that test/opensearch.test.ts checks the query DSL, the bulk item
 * errors and the alias actions against. When it cannot be had, that file skips with the reason.
 */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  try {
    await ensureService('opensearch', { timeoutMs: 600_000 });
  } catch (error) {
    if (process.env.CI) throw error;
    console.warn(`[elasticsearch] OpenSearch not available, its checks will skip: ${(error as Error).message.split('\n')[0]}`);
  }
}
