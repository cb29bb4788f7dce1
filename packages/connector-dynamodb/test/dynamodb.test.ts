/**
 * The `dynamodb` connector against the REAL moto server (a community implementation of the AWS
 * APIs; tools/services/ensure-moto.sh → SPARKLE_TEST_AWS_ENDPOINT): the document-store suite, key
 * conditions as Query, parallel Scan segments, BatchWriteItem with UnprocessedItems (made by a
 * wrapper that really writes only part of each batch), missing tables, unreachable endpoints, the
 * expression builder and the golden Spark options. moto accepts any credentials, so refused
 * credentials are checked against an SDK error injected in the client (marked below).
 */
import { describe, expect, it } from 'vitest';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getConnection, registerConnection, type SparkleError, where, type Document } from '@sparkle/core';
import { testConnector, testDocumentStore } from '@sparkle/testkit';
import { DynamodbConnection } from '../src/index.js';
import { ExpressionContext, planQuery, toExpression } from '../src/expression.js';

const endpoint = process.env.SPARKLE_TEST_AWS_ENDPOINT;
const server = () => ({ endpoint: endpoint!, region: process.env.SPARKLE_TEST_AWS_REGION ?? 'us-east-1', accessKeyId: 'testing', secretAccessKey: 'testing-secret-key' });
const service = async () => (endpoint ? { config: server() } : { skip: 'SPARKLE_TEST_AWS_ENDPOINT is not set (tools/services/ensure-moto.sh)' });
const open = <T = DynamodbConnection>(config: Record<string, unknown>, type = 'dynamodb') => getConnection<T & DynamodbConnection>(type, { config, dotenv: false, variables: {} });
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as SparkleError);
const unique = (p: string) => `sparkle_ddb_${p}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const all = async <T>(it: AsyncIterable<T>) => { const out: T[] = []; for await (const d of it) out.push(d); return out; };
if (!endpoint) console.warn('[dynamodb] live tests skipped: SPARKLE_TEST_AWS_ENDPOINT is not set (tools/services/ensure-moto.sh)');

testConnector({
  type: 'dynamodb',
  aliases: ['aws_dynamodb'],
  connectionClass: DynamodbConnection,
  validConfig: { region: 'eu-central-1', table: 'orders', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example-secret-access-key', sessionToken: 'example-session-token' },
  invalidConfigs: [
    { name: 'a region that is not one', config: { region: 'mars' }, path: 'region' },
    { name: 'an endpoint that is not a URL', config: { endpoint: 'not a url' }, path: 'endpoint' },
  ],
  secretFields: ['secretAccessKey', 'sessionToken'],
  capabilities: { read: true, write: true, query: false, discover: true, spark: true, health: true },
  unreachableConfig: { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 'b', maxAttempts: 1, connectTimeoutMs: 1000 },
});

testDocumentStore({ type: 'dynamodb', service, serviceRequired: true, namePrefix: 'sparkle_ddb_ct', failingDocument: { name: 'no key' } });

/** Really writes only every other item of each BatchWriteItem and returns the rest as UnprocessedItems — for `failures` calls, or for ever for items whose `sticky` is true. */
class FlakyDynamodbConnection extends DynamodbConnection {
  static failures = 3;
  calls = 0;
  protected override configureClient(_raw: DynamoDBClient, docs: DynamoDBDocumentClient): void {
    const send = docs.send.bind(docs) as (c: unknown) => Promise<unknown>;
    (docs as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command: unknown) => {
      if (!(command instanceof BatchWriteCommand)) return send(command);
      this.calls++;
      const [table, requests] = Object.entries(command.input.RequestItems!)[0]!;
      const flaky = this.calls <= FlakyDynamodbConnection.failures;
      const keep = requests.filter((r, i) => !(r.PutRequest?.Item?.sticky === true) && (!flaky || i % 2 === 0));
      const left = requests.filter((r) => !keep.includes(r));
      if (keep.length) await send(new BatchWriteCommand({ RequestItems: { [table]: keep } }));
      return { UnprocessedItems: left.length ? { [table]: left } : {} };
    };
  }
}
registerConnection('dynamodb_flaky', FlakyDynamodbConnection as never);

describe('dynamodb expressions', () => {
  it('names every attribute and binds every value; no user text in the expression', () => {
    const ctx = new ExpressionContext();
    const expr = toExpression(where.and(where.eq('status', "o'pen) OR (1=1"), where.gt('address.city', 'B'), where.eq('name', null), where.not(where.in('qty', [1, 2]))), ctx);
    expect(expr).toBe(
      '(#n0 = :v0 AND #n1.#n2 > :v1 AND (attribute_not_exists(#n3) OR attribute_type(#n3, :v2)) AND (NOT (#n4 = :v3 OR #n4 = :v4)))',
    );
    expect(ctx.names).toEqual({ '#n0': 'status', '#n1': 'address', '#n2': 'city', '#n3': 'name', '#n4': 'qty' });
    expect(ctx.values).toEqual({ ':v0': "o'pen) OR (1=1", ':v1': 'B', ':v2': 'NULL', ':v3': 1, ':v4': 2 });
  });

  it('plans a Query when the partition key is pinned, else a Scan', () => {
    expect(planQuery(where.and(where.eq('pk', 'a'), where.gte('sk', 3), where.eq('v', 1)), 'pk', 'sk')).toEqual({
      keyCondition: [where.eq('pk', 'a'), where.gte('sk', 3)],
      rest: [where.eq('v', 1)],
    });
    expect(planQuery(where.eq('v', 1), 'pk', 'sk')).toBeUndefined();
    expect(planQuery(where.and(where.eq('pk', 'a'), where.or(where.eq('pk', 'b'), where.eq('v', 1))), 'pk', undefined)).toBeUndefined();
  });
});

describe.skipIf(!endpoint)('dynamodb against moto', () => {
  it('reads by Query when the filter pins the key, and in parallel Scan segments otherwise', async () => {
    await using ddb = await open(server());
    const t = unique('query');
    const docs = Array.from({ length: 60 }, (_, i) => ({ pk: `p${i % 3}`, sk: i, v: i % 5, nested: { list: [i], at: new Date(Date.UTC(2024, 0, 1 + i)) } }));
    expect(await ddb.upsertDocuments(t, docs, { keyFields: ['pk', 'sk'] })).toEqual({ written: 60, failed: [] });
    const q = await all(ddb.findDocuments(t, { filter: where.and(where.eq('pk', 'p1'), where.gte('sk', 30), where.eq('v', 0)), projection: ['sk', 'nested.at'] }));
    const expected = docs.filter((d) => d.pk === 'p1' && d.sk >= 30 && d.v === 0);
    expect(q.map((d) => d.sk).sort((a, b) => Number(a) - Number(b))).toEqual(expected.map((d) => d.sk));
    expect(q[0]).toEqual({ sk: expected[0]!.sk, nested: { at: expected[0]!.nested.at } });
    const parts = await ddb.documentPartitions(t, { partitions: 4 });
    expect(parts.map((p) => p.description)).toEqual([1, 2, 3, 4].map((i) => `${t} scan segment ${i}/4`));
    const seen = (await Promise.all(parts.map((p) => all(p.find({}))))).flat();
    expect(seen).toHaveLength(60);
    expect(new Set(seen.map((d) => `${String(d.pk)}/${String(d.sk)}`)).size).toBe(60);
    expect(await ddb.getDocument(t, { pk: 'p2', sk: 2 })).toEqual(docs[2]);
    expect(await ddb.deleteDocuments(t, [{ pk: 'p2', sk: 2 }, { pk: 'p2', sk: 999 }])).toBe(1);
  });

  it('retries UnprocessedItems with backoff until every item is written', async () => {
    FlakyDynamodbConnection.failures = 3;
    await using ddb = await open<FlakyDynamodbConnection>(server(), 'dynamodb_flaky');
    const t = unique('unprocessed');
    const docs = Array.from({ length: 40 }, (_, i) => ({ _id: i, v: `v${i}` }));
    expect(await ddb.upsertDocuments(t, docs)).toEqual({ written: 40, failed: [] });
    expect((ddb as unknown as FlakyDynamodbConnection).calls).toBeGreaterThan(2);
    expect((await all(ddb.findDocuments(t))).map((d) => d._id).sort((a, b) => Number(a) - Number(b))).toEqual(docs.map((d) => d._id));
  });

  it('reports items still unprocessed after the retries per item, retryable, and fails the table write typed', async () => {
    FlakyDynamodbConnection.failures = 0;
    await using ddb = await open<FlakyDynamodbConnection>(server(), 'dynamodb_flaky');
    const t = unique('sticky');
    const result = await ddb.upsertDocuments(t, [{ _id: 1 }, { _id: 2, sticky: true }, { _id: 3 }], { itemRetries: 2 });
    expect(result.written).toBe(2);
    expect(result.failed).toEqual([{ index: 1, key: 2, message: expect.stringContaining('still unprocessed after 2 retries'), retryable: true }]);
    const error = await rejection(ddb.writeTable([{ _id: 4 }, { _id: 5, sticky: true }], t, { mode: 'append' }));
    expect(error?.code).toBe('WRITE_FAILED');
    expect(error?.retryable).toBe(true);
    expect(error?.details).toMatchObject({ committed: true, written: 1, failed: 1 });
  });

  it('reports a key of the wrong type per item and a too-large item per item (the batch retried item by item)', async () => {
    await using ddb = await open(server());
    const t = unique('types');
    await ddb.upsertDocuments(t, [{ _id: 1, v: 'x' }]);
    const big = 'x'.repeat(420 * 1024);
    const result = await ddb.upsertDocuments(t, [{ _id: 'one', v: 'string key' }, { _id: 2, v: big }, { _id: 3, v: 'ok' }]);
    expect(result.written).toBe(1);
    expect(result.failed.map((f) => f.index)).toEqual([0, 1]);
    expect(result.failed[0]!.message).toContain("key field '_id' must be of DynamoDB type N");
    expect(await ddb.getDocument(t, 3)).toEqual({ _id: 3, v: 'ok' });
  });

  it('keeps large integers exact, dates as dates and bytes as bytes', async () => {
    await using ddb = await open(server());
    const t = unique('values');
    const doc: Document = { _id: 1, big: 2n ** 63n - 1n, at: new Date('2024-05-01T12:00:00.000Z'), bytes: new Uint8Array([0, 1, 255]), f: 0.1 };
    await ddb.upsertDocuments(t, [doc]);
    expect(await ddb.getDocument(t, 1)).toEqual(doc);
    const [found] = await ddb.discover({ collections: [t] });
    expect(found!.columns.map((c) => [c.name, c.type]).sort()).toEqual([['_id', 'int64'], ['at', 'timestamp'], ['big', 'int64'], ['bytes', 'binary'], ['f', 'float64']]);
  });

  it('check() describes the configured table; a missing table is a typed error naming it', async () => {
    await using ddb = await open(server());
    const t = unique('check');
    await ddb.upsertDocuments(t, [{ _id: 1 }]);
    await using configured = await open({ ...server(), table: t });
    const report = await configured.check({ timeoutMs: 10_000 });
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toContain(`table ${t} described (key _id)`);
    await using missing = await open({ ...server(), table: 'sparkle_ddb_no_such_table' });
    const failed = await missing.check({ timeoutMs: 10_000 });
    expect(failed.ok).toBe(false);
    expect(failed.steps.find((s) => s.status === 'failed')?.error?.message).toContain('does not exist');
    expect(await all(ddb.findDocuments('sparkle_ddb_no_such_table'))).toEqual([]);
    expect(await ddb.getDocument('sparkle_ddb_no_such_table', 1)).toBeUndefined();
  });

  it('overwrite is refused (DynamoDB cannot swap tables atomically), with the alternative named', async () => {
    await using ddb = await open(server());
    const error = await rejection(ddb.writeTable([{ _id: 1 }], unique('over'), { mode: 'overwrite' }));
    expect(error?.code).toBe('UNSUPPORTED');
    expect(error?.message).toContain("mode 'append'");
  });

  it('an unreachable endpoint fails with a typed, retryable CONNECTION_FAILED, no secret in it', async () => {
    await using ddb = await open({ ...server(), endpoint: 'http://127.0.0.1:1', maxAttempts: 1, connectTimeoutMs: 1000 });
    const error = await rejection(ddb.listCollections());
    expect(error?.code).toBe('CONNECTION_FAILED');
    expect(error?.retryable).toBe(true);
    expect(JSON.stringify(error?.toJSON())).not.toContain('testing-secret-key');
  });
});

describe('dynamodb refused credentials (SDK error injected: moto accepts any key)', () => {
  class RefusingConnection extends DynamodbConnection {
    protected override configureClient(_raw: DynamoDBClient, docs: DynamoDBDocumentClient): void {
      (docs as unknown as { send: () => Promise<never> }).send = async () => {
        throw Object.assign(new Error(`The security token included in the request is invalid. (key ${this.config.secretAccessKey})`), { name: 'UnrecognizedClientException' });
      };
    }
  }
  registerConnection('dynamodb_refusing', RefusingConnection as never);

  it('maps UnrecognizedClientException to AUTHENTICATION_FAILED, the secret scrubbed', async () => {
    const secretKey = 'very-secret-access-key-99';
    await using ddb = await open({ region: 'us-east-1', accessKeyId: 'AKIA', secretAccessKey: secretKey }, 'dynamodb_refusing');
    const error = await rejection(ddb.listCollections());
    expect(error?.code).toBe('AUTHENTICATION_FAILED');
    expect(error?.retryable).toBe(false);
    expect(error?.message).toContain('UnrecognizedClientException');
    for (const text of [error!.message, JSON.stringify(error!.toJSON()), String((error!.cause as Error).message)]) expect(text).not.toContain(secretKey);
  });
});

describe('dynamodb Spark mapping (golden options; no maintained DataFrame source)', () => {
  it("targets audienceproject's dynamodb source with table, region and partitions; credentials stay with the executors' AWS chain", async () => {
    await using ddb = await open({ region: 'eu-central-1', accessKeyId: 'AKIA', secretAccessKey: 's3cret' });
    expect(ddb.sparkRead('orders', { numPartitions: 16 })).toEqual({
      format: 'dynamodb',
      options: { tableName: 'orders', region: 'eu-central-1', readPartitions: '16', filterPushdown: 'true' },
      secretOptions: [],
    });
    expect(ddb.sparkWrite('orders', { mode: 'append', batchSize: 100 })).toEqual({
      format: 'dynamodb',
      options: { tableName: 'orders', region: 'eu-central-1', writeBatchSize: '25' },
      mode: 'append',
      secretOptions: [],
    });
  });
});
