/**
 * `testNotifier`: the conformance suite of the notify capability — a message and its
 * attachments arrive as sent (read back from wherever the system delivers: the reference's
 * record, an SMTP test server's mailbox, a webhook receiver), empty messages are refused before
 * anything is sent, each send is a lineage `send` run whose output is the destination, and the
 * health check never sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesOf, type Notifier, type SparkleConnection } from '@sparkle/core';
import { MemoryLineageClient } from '../lineage.js';
import { ensureLocalEngine, rejection, type ServiceSuiteOptions } from './service-common.js';

/** A message as the receiving side saw it. */
export interface ReceivedMessage {
  to: string[];
  subject?: string;
  text?: string;
  attachments: Array<{ filename: string; content: Uint8Array }>;
}

export interface NotifierSuiteOptions extends ServiceSuiteOptions<Notifier> {
  /** Recipients the test message goes to. */
  recipients: string[];
  /** Messages the receiving side has seen, oldest first. */
  received: () => Promise<ReceivedMessage[]>;
  /** A recipient the system refuses, to check `rejected` reporting. */
  rejectedRecipient?: string;
  /** False for systems without attachments (plain webhooks). Default true. */
  attachments?: boolean;
}

/**
 * Registers the notify suite.
 *
 * @example
 * ```ts
 * testNotifier({
 *   name: 'smtp',
 *   open: (lineage) => getConnection('smtp', { config: { host: '127.0.0.1', port: mailbox.port }, lineage }),
 *   recipients: ['ops@example.test'],
 *   received: () => mailbox.messages(),
 * });
 * ```
 */
export function testNotifier(options: NotifierSuiteOptions): void {
  const lineage = new MemoryLineageClient();
  let conn: (Notifier & SparkleConnection<object>) | undefined;
  const c = () => conn!;
  const marker = `sparkle-ct-${Date.now().toString(36)}`;

  describe.skipIf(Boolean(options.skip))(`${options.name}: notify capability${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    beforeAll(async () => {
      await ensureLocalEngine();
      conn = await options.open(lineage);
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('declares the notify capability from its methods', () => {
      expect(capabilitiesOf(c())).toContain('notify');
    });

    it('delivers a message with its text and attachments intact', async () => {
      const binary = new Uint8Array(3000).map((_, i) => i % 256);
      const withAttachments = options.attachments ?? true;
      const result = await c().send({
        to: options.recipients,
        subject: `${marker} load done`,
        text: `${marker}: 1,204 rows\nsecond line`,
        ...(withAttachments
          ? {
              attachments: [
                { filename: 'report.csv', content: 'id,name\n1,Ada\n', contentType: 'text/csv' },
                { filename: 'blob.bin', content: binary, contentType: 'application/octet-stream' },
              ],
            }
          : {}),
      });
      expect(result.accepted).toBe(options.recipients.length);
      const got = (await options.received()).filter((m) => m.subject?.includes(marker) || m.text?.includes(marker));
      expect(got).toHaveLength(1);
      expect(got[0]!.text?.replace(/\r\n/g, '\n')).toContain(`${marker}: 1,204 rows\nsecond line`);
      expect([...got[0]!.to].sort()).toEqual([...options.recipients].sort());
      if (withAttachments) {
        const byName = Object.fromEntries(got[0]!.attachments.map((a) => [a.filename, Buffer.from(a.content)]));
        expect(byName['report.csv']?.toString('utf8')).toBe('id,name\n1,Ada\n');
        expect(byName['blob.bin']).toEqual(Buffer.from(binary));
      }
    });

    it('reports each send to lineage as a send run with the destination as output', async () => {
      lineage.clear();
      await c().send({ to: options.recipients, subject: `${marker} lineage`, text: 'x' });
      expect(lineage.events.map((e) => `${e.eventType}:${e.spec.operation}`)).toEqual(['START:send', 'COMPLETE:send']);
      const spec = lineage.events[0]!.spec;
      expect(spec.inputs).toEqual([]);
      expect(spec.outputs).toHaveLength(1);
      // Recipient addresses are personal data: they never reach lineage.
      for (const r of options.recipients) expect(JSON.stringify(lineage.events.map((e) => e.spec))).not.toContain(r);
      expect(lineage.events[1]!.stats?.rows).toBe(options.recipients.length);
    });

    it('refuses an empty message, typed, before sending anything', async () => {
      const before = (await options.received()).length;
      lineage.clear();
      const e = await rejection(c().send({ to: options.recipients }));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect((await options.received()).length).toBe(before);
      expect(lineage.events).toEqual([]);
    });

    it.skipIf(!options.rejectedRecipient)('reports recipients the system refused', async () => {
      const result = await c().send({ to: [...options.recipients, options.rejectedRecipient!], subject: `${marker} partial`, text: 'x' });
      expect(result.accepted).toBe(options.recipients.length);
      expect(result.rejected?.map((r) => r.recipient)).toEqual([options.rejectedRecipient]);
    });

    it('check() passes without sending a message', async () => {
      const before = (await options.received()).length;
      const report = await c().check({ timeoutMs: 10_000 });
      expect(report.ok, JSON.stringify(report.steps)).toBe(true);
      expect(report.steps.find((s) => s.tier === 'probe')?.status).toBe('skipped');
      expect((await options.received()).length).toBe(before);
    });
  });
}
