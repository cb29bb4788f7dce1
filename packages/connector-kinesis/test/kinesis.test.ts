/**
 * The kinesis connection against a real Kinesis API: the moto server
 * (tools/services/ensure-moto.sh, started by the global setup). Conformance, the stream suite
 * over 3-shard streams, PutRecords batching, start positions, "until caught up", the Spark
 * mapping (golden options) and typed errors.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getConnection, type SparkleError } from '@sparkle/core';
import { testConnector, testStream } from '@sparkle/testkit';
import { KinesisConnection } from '../src/index.js';
import { unwrap, wrap } from '../src/envelope.js';

const endpoint = process.env.SPARKLE_TEST_AWS_ENDPOINT ?? 'http://127.0.0.1:4566';
const region = process.env.SPARKLE_TEST_AWS_REGION ?? 'us-east-1';
const credentials = { accessKeyId: 'AKIAMOTOSPARKLE', secretAccessKey: 'moto-kinesis-secret-never-printed' };
/** Unique stream names per test file: moto's state is shared by every test process. */
const run = `${process.pid}_${Date.now().toString(36)}`;
const base = { region, endpoint, credentials, pollIntervalMs: 100 };

const open = (extra: Record<string, unknown> = {}) => getConnection<KinesisConnection>('kinesis', { config: { ...base, ...extra }, dotenv: false, variables: {} });
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : b);
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

testConnector({
  type: 'kinesis',
  aliases: ['aws_kinesis'],
  connectionClass: KinesisConnection,
  validConfig: { ...base, stream: `kin_conf_${run}`, credentials: { ...credentials, sessionToken: 'kinesis-session-never-printed' } },
  secretFields: ['credentials.secretAccessKey', 'credentials.sessionToken'],
  sparkSecretOptions: ['kinesis.awsSecretKey'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { ...base, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 },
});

// The stream capability suite against moto: 3 shards; headers need the envelope format.
testStream({
  type: 'kinesis',
  config: { ...base, recordFormat: 'envelope' },
  namePrefix: `kin_ct_${process.pid}`,
  partitions: 3,
  createTopic: async (conn, topic, partitions) => {
    await (conn as KinesisConnection).createStream(topic, partitions);
  },
});

describe('kinesis against moto', () => {
  it('check() describes the configured stream; a missing stream is a typed error', async () => {
    await using admin = await open();
    const stream = `kin_check_${run}`;
    await admin.createStream(stream, 2);
    await using conn = await open({ stream });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
    expect(report.steps.find((s) => s.tier === 'probe')?.message).toContain(`${stream}: 2 partition(s)`);
    const missing = (await conn.describeTopic(`kin_missing_${run}`).catch((e: unknown) => e)) as SparkleError;
    expect(missing.code).toBe('QUERY_FAILED');
    expect(missing.message).toMatch(/does not exist/);
  });

  it('batches PutRecords by 500 and reads every record back until caught up', async () => {
    await using conn = await open();
    const stream = `kin_batches_${run}`;
    await conn.createStream(stream, 2);
    const progress: number[] = [];
    const result = await conn.produce(
      stream,
      (function* () {
        for (let i = 0; i < 1203; i++) yield { key: `user-${i % 7}`, value: JSON.stringify({ i }) };
      })(),
      { onProgress: (m) => progress.push(m) },
    );
    expect(result.messages).toBe(1203);
    expect(progress).toEqual([500, 1000, 1203]);
    expect(Object.keys(result.positions!).sort()).toEqual((await conn.describeTopic(stream)).partitions.map((p) => p.id).sort());
    const back = await all(conn.consumeRange(stream));
    expect(back).toHaveLength(1203);
    expect(new Set(back.map((m) => JSON.parse(text(m.value)!).i)).size).toBe(1203);
    // Equal keys share a shard.
    const shardOfKey = new Map<string, Set<string>>();
    for (const m of back) shardOfKey.set(text(m.key)!, (shardOfKey.get(text(m.key)!) ?? new Set()).add(m.partition));
    for (const shards of shardOfKey.values()) expect(shards.size).toBe(1);
  });

  it('reads from TRIM_HORIZON, LATEST, a sequence number and a timestamp', async () => {
    await using conn = await open();
    const stream = `kin_positions_${run}`;
    await conn.createStream(stream, 1);
    await conn.produce(stream, [1, 2, 3].map((i) => ({ key: 'k', value: `early-${i}` })));
    // moto stamps arrival with second resolution: wait past it so the timestamp splits the two groups.
    await new Promise((r) => setTimeout(r, 1100));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 1100));
    await conn.produce(stream, [1, 2].map((i) => ({ key: 'k', value: `late-${i}` })));
    const values = async (options: Parameters<KinesisConnection['consumeRange']>[1]) => (await all(conn.consumeRange(stream, options))).map((m) => text(m.value));
    expect(await values({ from: 'earliest' })).toEqual(['early-1', 'early-2', 'early-3', 'late-1', 'late-2']);
    expect(await values({ from: 'latest' })).toEqual([]);
    expect(await values({ from: { timestamp: between } })).toEqual(['late-1', 'late-2']);
    expect(await values({ to: { timestamp: between } })).toEqual(['early-1', 'early-2', 'early-3']);
    const all5 = await all(conn.consumeRange(stream));
    const shard = all5[0]!.partition;
    expect(await values({ from: { positions: { [shard]: all5[3]!.position! } } })).toEqual(['late-1', 'late-2']);
    // Through the table view, Spark's options pick the same range.
    const frame = await conn.readTable(stream, { options: { startingOffsets: JSON.stringify({ [stream]: { [shard]: all5[1]!.position! } }) } });
    const rows: Array<Record<string, unknown>> = [];
    for await (const batch of frame as AsyncIterable<{ toArray(): Array<{ toJSON(): Record<string, unknown> }> }>) for (const r of batch.toArray()) rows.push(r.toJSON());
    expect(rows.map((r) => text(r.value as Uint8Array))).toEqual(['early-2', 'early-3', 'late-1', 'late-2']);
    expect(rows[0]!.partition).toBe(shard);
    expect(rows[0]!.position).toBe(all5[1]!.position);
  });

  it('resends the records a PutRecords batch failed, by index, and refuses a non-retryable entry error', async () => {
    await using conn = await open();
    const stream = `kin_partial_${run}`;
    await conn.createStream(stream, 1);
    // A middleware in front of the real request: the first PutRecords sends only the even records
    // to moto and answers the odd ones as throttled, as Kinesis does for a partial failure.
    const { client } = await (conn as unknown as { kinesis(): Promise<{ client: import('@aws-sdk/client-kinesis').KinesisClient }> }).kinesis();
    const sent: number[] = [];
    let calls = 0;
    let failWith = 'ProvisionedThroughputExceededException';
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'PutRecordsCommand') return next(args);
        const input = args.input as { Records: Array<{ Data: Uint8Array }> };
        sent.push(input.Records.length);
        if (calls++ > 0) return next(args);
        const failing = new Set(input.Records.map((_, i) => i).filter((i) => i % 2 === 1));
        const kept = input.Records.filter((_, i) => !failing.has(i));
        const result = await next({ ...args, input: { ...input, Records: kept } });
        const out = result.output as unknown as { Records: Array<Record<string, unknown>>; FailedRecordCount?: number };
        const answered = [...out.Records];
        out.Records = input.Records.map((_, i) => (failing.has(i) ? { ErrorCode: failWith, ErrorMessage: 'Rate exceeded for shard' } : answered.shift()!));
        out.FailedRecordCount = failing.size;
        return result;
      },
      { step: 'initialize', name: 'partialFailure' },
    );
    const result = await conn.produce(stream, Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: String(i) })));
    expect(result.messages).toBe(6);
    expect(sent).toEqual([6, 3]); // all six, then the three failed ones again
    const back = (await all(conn.consumeRange(stream))).map((m) => text(m.value));
    expect([...back].sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    calls = 0;
    failWith = 'KMSAccessDeniedException';
    const refused = (await conn.produce(stream, [{ key: 'k', value: 'a' }, { key: 'k', value: 'b' }]).catch((e: unknown) => e)) as SparkleError;
    expect(refused.code).toBe('WRITE_FAILED');
    expect(refused.retryable).toBe(false);
    expect(refused.message).toMatch(/record 1 .*KMSAccessDeniedException/);
  });

  it('raw records: the data is the value; headers and null values are refused, not dropped', async () => {
    await using conn = await open();
    const stream = `kin_raw_${run}`;
    await conn.createStream(stream, 1);
    await conn.produce(stream, [{ key: 'a', value: new Uint8Array([0, 1, 2]) }]);
    const [m] = await all(conn.consumeRange(stream));
    expect(m!.value).toEqual(new Uint8Array([0, 1, 2]));
    expect(text(m!.key)).toBe('a');
    expect(m!.timestamp).toBeInstanceOf(Date);
    const headers = (await conn.produce(stream, [{ value: 'x', headers: { h: 'v' } }]).catch((e: unknown) => e)) as SparkleError;
    expect(headers.code).toBe('INVALID_ARGUMENT');
    expect(headers.message).toMatch(/recordFormat: 'envelope'/);
    const nullValue = (await conn.produce(stream, [{ value: null }]).catch((e: unknown) => e)) as SparkleError;
    expect(nullValue.code).toBe('INVALID_ARGUMENT');
    const tooBig = (await conn.produce(stream, [{ key: 'k', value: new Uint8Array(1024 * 1024 + 1) }]).catch((e: unknown) => e)) as SparkleError;
    expect(tooBig.code).toBe('INVALID_ARGUMENT');
    expect(tooBig.message).toMatch(/1 MiB/);
    const shard = (await conn.produce(stream, [{ partition: 'shardId-999', value: 'x' }]).catch((e: unknown) => e)) as SparkleError;
    expect(shard.message).toMatch(/no shard 'shardId-999'/);
  });

  it('the envelope keeps headers, null values, binary keys and the producer timestamp', async () => {
    const at = new Date(Date.UTC(2024, 1, 2));
    const framed = wrap({ headers: { h: new Uint8Array([9]) }, timestamp: at, key: new Uint8Array([0, 255]), value: new Uint8Array([1]) });
    expect(unwrap(framed)).toEqual({ headers: { h: new Uint8Array([9]) }, timestamp: at, key: new Uint8Array([0, 255]), value: new Uint8Array([1]) });
    expect(unwrap(new TextEncoder().encode('plain'))).toBeUndefined();
    await using conn = await open({ recordFormat: 'envelope' });
    const stream = `kin_envelope_${run}`;
    await conn.createStream(stream, 1);
    await conn.produce(stream, [{ key: new Uint8Array([0, 255]), value: null, headers: { trace: 't-1' }, timestamp: at }, { value: 'no key' }]);
    const [a, b] = await all(conn.consumeRange(stream));
    expect(a!.key).toEqual(new Uint8Array([0, 255]));
    expect(a!.value).toBeNull();
    expect(text(a!.headers.trace)).toBe('t-1');
    expect(a!.timestamp).toEqual(at);
    expect(b!.key).toBeNull();
    expect(text(b!.value)).toBe('no key');
  });

  it("maps to Spark's aws-kinesis source with golden options and the secret key marked", async () => {
    await using conn = await open();
    expect(conn.sparkRead('clicks', { options: { startingOffsets: 'latest', 'kinesis.maxFetchRecordsPerShard': '5000' } })).toEqual({
      format: 'aws-kinesis',
      options: {
        'kinesis.startingPosition': 'LATEST',
        'kinesis.streamName': 'clicks',
        'kinesis.region': region,
        'kinesis.endpointUrl': endpoint,
        'kinesis.consumerType': 'GetRecords',
        'kinesis.awsAccessKeyId': credentials.accessKeyId,
        'kinesis.awsSecretKey': credentials.secretAccessKey,
        'kinesis.maxFetchRecordsPerShard': '5000',
      },
      secretOptions: ['kinesis.awsSecretKey'],
    });
    await using defaultChain = await getConnection<KinesisConnection>('kinesis', { config: { region: 'eu-west-1' }, dotenv: false, variables: {} });
    expect(defaultChain.sparkRead('clicks', {})).toEqual({
      format: 'aws-kinesis',
      options: { 'kinesis.startingPosition': 'TRIM_HORIZON', 'kinesis.streamName': 'clicks', 'kinesis.region': 'eu-west-1', 'kinesis.endpointUrl': 'https://kinesis.eu-west-1.amazonaws.com', 'kinesis.consumerType': 'GetRecords' },
      secretOptions: [],
    });
    expect(() => conn.sparkRead('clicks', { options: { startingOffsets: '{"clicks":{"0":1}}' } })).toThrow(/earliest' or 'latest'/);
  });

  it('an unreachable endpoint is a typed, retryable error without the secret', async () => {
    await using conn = await open({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const err = (await conn.describeTopic('s').catch((e: unknown) => e)) as SparkleError;
    expect(err.code).toBe('CONNECTION_FAILED');
    expect(err.retryable).toBe(true);
    for (const shown of [err.message, inspect(err, { depth: 5 }), JSON.stringify(err), String(conn), inspect(conn, { depth: 5 })]) expect(shown).not.toContain(credentials.secretAccessKey);
  });
});
