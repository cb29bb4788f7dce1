/**
 * Opt-in live suite against a Pulsar cluster of your own (StreamNative Cloud, a company cluster):
 * SPARKLE_TEST_PULSAR_LIVE_WEB_URL (https://… of the broker or proxy), SPARKLE_TEST_PULSAR_LIVE_TOKEN
 * (a JWT), and optionally SPARKLE_TEST_PULSAR_LIVE_TENANT / _NAMESPACE (default public/default)
 * where the token may create topics. Skipped with a printed reason when the URL is unset.
 */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { PulsarConnection } from '../src/index.js';
import { uniqueTopic } from './broker.js';

const url = process.env.SPARKLE_TEST_PULSAR_LIVE_WEB_URL;
const reason = 'SPARKLE_TEST_PULSAR_LIVE_WEB_URL is not set: no Pulsar cluster of your own to test against (the other files use the local standalone broker)';
if (!url) console.info(`[pulsar live] skipped: ${reason}`);

describe.skipIf(!url)(`pulsar live (${url ? 'SPARKLE_TEST_PULSAR_LIVE_WEB_URL' : reason})`, () => {
  const config = () => ({
    webServiceUrl: url!,
    ...(process.env.SPARKLE_TEST_PULSAR_LIVE_TOKEN ? { token: process.env.SPARKLE_TEST_PULSAR_LIVE_TOKEN } : {}),
    ...(process.env.SPARKLE_TEST_PULSAR_LIVE_TENANT ? { tenant: process.env.SPARKLE_TEST_PULSAR_LIVE_TENANT } : {}),
    ...(process.env.SPARKLE_TEST_PULSAR_LIVE_NAMESPACE ? { namespace: process.env.SPARKLE_TEST_PULSAR_LIVE_NAMESPACE } : {}),
  });

  it('check() passes, and a partitioned topic round-trips: produce, bounded read, subscription with acks', async () => {
    await using pulsar = await getConnection<PulsarConnection>('pulsar', { config: config(), dotenv: false, variables: {} });
    const report = await pulsar.check();
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const topic = uniqueTopic('sparkle_live');
    await pulsar.createTopic(topic, { partitions: 2 });
    await pulsar.produce(topic, [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `v${i}`, partition: String(i % 2) })));
    const read: string[] = [];
    for await (const m of pulsar.consumeRange(topic)) read.push(new TextDecoder().decode(m.value!));
    expect(read.sort()).toEqual(['v0', 'v1', 'v2', 'v3']);
    const got: string[] = [];
    for await (const d of pulsar.subscribe(topic, { group: 'sparkle-live', from: 'earliest', signal: AbortSignal.timeout(30_000) })) {
      got.push(new TextDecoder().decode(d.value!));
      await d.ack();
      if (got.length === 4) break;
    }
    expect(got.sort()).toEqual(['v0', 'v1', 'v2', 'v3']);
  });
});
