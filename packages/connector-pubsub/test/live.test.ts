/**
 * Opt-in live suite against real Google Cloud Pub/Sub. Set SPARKLE_TEST_PUBSUB_LIVE_PROJECT (and
 * SPARKLE_TEST_PUBSUB_LIVE_KEY with a service-account key's JSON, or Application Default
 * Credentials); the account needs roles/pubsub.editor on the project. The suite creates a topic
 * and a subscription of its own and deletes them. Without the project it is skipped, saying why.
 */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { PubsubConnection } from '../src/index.js';

const project = process.env.SPARKLE_TEST_PUBSUB_LIVE_PROJECT;
const key = process.env.SPARKLE_TEST_PUBSUB_LIVE_KEY;
const reason = 'SPARKLE_TEST_PUBSUB_LIVE_PROJECT is not set: no Google Cloud project to test against (real Pub/Sub cannot run here; pstest covers the protocol)';
if (!project) console.info(`[pubsub live] skipped: ${reason}`);

describe.skipIf(!project)(`pubsub live (${project ? 'SPARKLE_TEST_PUBSUB_LIVE_PROJECT' : reason})`, () => {
  const open = (extra: Record<string, unknown> = {}) =>
    getConnection<PubsubConnection>('pubsub', {
      config: { projectId: project!, ...(key ? { credentials: { serviceAccountJson: key } } : {}), ...extra },
      dotenv: false,
      variables: {},
    });

  it('check(), publish, a peek read, a subscription with acks, discover', async () => {
    const name = `sparkle_live_${Date.now().toString(36)}`;
    await using conn = await open();
    await conn.createTopic(name);
    try {
      await conn.createSubscription(name, name, { ackDeadlineSeconds: 20 });
      await using checked = await open({ subscription: name });
      const report = await checked.check({ timeoutMs: 30_000 });
      expect(report.steps.filter((s) => s.status === 'failed')).toEqual([]);
      const result = await conn.produce(name, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i }), headers: { seq: String(i) } })));
      expect(result.messages).toBe(20);
      const seen = new Set<string>();
      // Real Pub/Sub may answer a pull with fewer messages than are available: read until all were seen once.
      for (let attempt = 0; attempt < 10 && seen.size < 20; attempt++) {
        for await (const m of conn.consumeRange(name)) seen.add(new TextDecoder().decode(m.headers.seq!));
      }
      expect(seen.size).toBe(20);
      let acked = 0;
      for await (const d of conn.subscribe(name, { group: 'live', signal: AbortSignal.timeout(60_000) })) {
        await d.ack();
        if (++acked === 20) break;
      }
      expect(acked).toBe(20);
      expect((await conn.discover({ pattern: `^${name}$` })).map((r) => r.kind).sort()).toEqual(['subscription', 'topic']);
    } finally {
      await conn.deleteSubscription(name).catch(() => undefined);
      await conn.deleteTopic(name).catch(() => undefined);
    }
  }, 180_000);
});
