/**
 * Starts (or finds) CouchbaseMock once (tools/services/ensure-couchbase-mock.sh): the KV and
 * cluster-map server the Couchbase SDKs' own tests use. It has no SQL++ and no collections API,
 * so this package's query paths are checked as statements (unit tests) and by the opt-in live
 * suite; KV paths run against the mock with the real SDK.
 */
import { ensureService } from '@sparkle/testkit';

export default async function setup(): Promise<void> {
  await ensureService('couchbase-mock', { timeoutMs: 600_000 });
}
