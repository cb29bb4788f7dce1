/**
 * The opt-in live suite: a real Couchbase Server (7.x; 7.6+ for range scans) or Capella, given by
 * SPARKLE_TEST_COUCHBASE_LIVE_URL (`couchbase://…` / `couchbases://…`), _USER, _PASSWORD and
 * _BUCKET (the bucket must exist; the suite creates collections in its `_default` scope and the
 * user needs Data Reader/Writer, Query Select, Query Manage Index and Manage Scopes roles).
 * _TRUST_STORE (a PEM file) for TLS with a private CA. Without them every test here is skipped
 * by declaration with the reason printed. This is the only place SQL++ reads, filters,
 * partitions, discover() and a refused password run against a real query service.
 */
import { describe, expect, it } from 'vitest';
import { getConnection, registerConnection, type SparkleError } from '@sparkle/core';
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { CouchbaseConnection } from '../src/index.js';

const env = (k: string) => process.env[`SPARKLE_TEST_COUCHBASE_LIVE_${k}`];
const missing = ['URL', 'USER', 'PASSWORD', 'BUCKET'].filter((k) => !env(k)).map((k) => `SPARKLE_TEST_COUCHBASE_LIVE_${k}`);
const reason = `${missing.join(', ')} not set: no Couchbase Server to test against (none runs on this machine)`;
if (missing.length) console.info(`[couchbase live] skipped: ${reason}`);

const config = () => ({
  connectionString: env('URL')!,
  username: env('USER')!,
  password: env('PASSWORD')!,
  bucket: env('BUCKET')!,
  ...(env('TRUST_STORE') ? { trustStorePath: env('TRUST_STORE') } : {}),
});
/** Collections made by the suites get a primary index (SQL++ needs one), created once per collection before reads. */
class LiveCouchbaseConnection extends CouchbaseConnection {
  static readonly indexed = new Set<string>();
  override async *findDocuments(collection: string, options = {}) {
    await this.primaryIndex(collection);
    yield* super.findDocuments(collection, options);
  }
  override async documentPartitions(collection: string, options: Parameters<CouchbaseConnection['documentPartitions']>[1]) {
    await this.primaryIndex(collection);
    return super.documentPartitions(collection, options);
  }
  async primaryIndex(collection: string): Promise<void> {
    if (LiveCouchbaseConnection.indexed.has(collection)) return;
    const ks = this.keyspace(collection);
    const { cluster } = await this.cluster();
    await cluster.queryIndexes().createPrimaryIndex(ks.bucket, { scopeName: ks.scope, collectionName: ks.collection, ignoreIfExists: true });
    LiveCouchbaseConnection.indexed.add(collection);
  }
}
registerConnection('couchbase_live', LiveCouchbaseConnection as never);
const service = async () => (missing.length ? { skip: reason } : { config: config() });

testConnector({
  type: 'couchbase_live',
  aliases: [],
  connectionClass: LiveCouchbaseConnection,
  validConfig: { connectionString: 'couchbase://cb.internal', username: 'etl', password: 'example-secret-pw', bucket: 'shop' },
  secretFields: ['password'],
  sparkSecretOptions: [],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  service,
});

testDocumentStore({ type: 'couchbase_live', service, namePrefix: 'sparkle_cb_ct', failingDocument: { name: 'no key' } });

describe.skipIf(missing.length > 0)(`couchbase live (${missing.length ? reason : 'SPARKLE_TEST_COUCHBASE_LIVE_URL'})`, () => {
  it('a wrong password fails with AUTHENTICATION_FAILED, printed nowhere', async () => {
    const wrong = 'wrong-secret-pw-5521';
    await using cb = await getConnection<CouchbaseConnection>('couchbase', { config: { ...config(), password: wrong, connectTimeoutMs: 5000 }, dotenv: false, variables: {} });
    const error = (await cb.listCollections().then(() => undefined, (e: unknown) => e)) as SparkleError | undefined;
    expect(error?.code).toBe('AUTHENTICATION_FAILED');
    for (const text of [error!.message, JSON.stringify(error!.toJSON()), String(error!.cause)]) expect(text).not.toContain(wrong);
  });

  it('an unknown collection read fails typed, naming the keyspace', async () => {
    await using cb = await getConnection<CouchbaseConnection>('couchbase', { config: config(), dotenv: false, variables: {} });
    const error = (await (async () => { for await (const _ of cb.findDocuments('no_such_collection_x')) void _; })().then(() => undefined, (e: unknown) => e)) as SparkleError | undefined;
    expect(error?.code).toBe('INVALID_ARGUMENT');
  });

  it('range scans by prefix (server 7.6+) return exactly the keys with it', async () => {
    await using cb = await getConnection<CouchbaseConnection>('couchbase', { config: config(), dotenv: false, variables: {} });
    const c = `sparkle_cb_scan_${Date.now().toString(36)}`;
    await cb.upsertDocuments(c, ['a-1', 'a-2', 'b-1'].map((_id) => ({ _id })));
    const ids: string[] = [];
    for await (const d of cb.scanDocuments(c, { prefix: 'a-' })) ids.push(String(d._id));
    expect(ids.sort()).toEqual(['a-1', 'a-2']);
  });
});
