/**
 * `WebhookConnection` (type `webhook`): a sender. Each message or event is POSTed as JSON to the
 * configured URL, its body signed with HMAC-SHA256 so the receiver can check it came from us
 * and was not changed, with an idempotency key the receiver can de-duplicate retries by.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { z } from 'zod';
import {
  APIConnection,
  apiConfigSchema,
  getArrowToolkit,
  secret,
  UnsupportedOperationError,
  type ConnectionInit,
  type NativeReadPlan,
  type NativeWriteContext,
  type Notifier,
  type OutgoingMessage,
  type ReadTableOptions,
  type SendResult,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { deliveryRetryOn, jsonRecord, sendBatches, type OutgoingBatch } from '@sparkle/connector-http';

/** Config of the `webhook` type: the receiver's URL is `baseUrl` (plus `path`). */
export const webhookConfigSchema = apiConfigSchema.extend({
  /** Appended to `baseUrl`. Default: `baseUrl` itself. */
  path: z.string().default(''),
  signing: z
    .object({
      /** The shared secret both sides know. */
      secret: secret(z.string().min(1)),
      /** Header carrying the signature. */
      header: z.string().min(1).default('X-Signature-256'),
      /** Text before the hex digest in the header. */
      prefix: z.string().default('sha256='),
      /**
       * When set, a Unix-seconds timestamp goes in this header and the signed text is
       * `<timestamp>.<body>`, so a receiver can refuse replays of old deliveries.
       */
      timestampHeader: z.string().min(1).optional(),
    })
    .optional(),
  /** Header of the per-delivery idempotency key; `false` sends none. */
  idempotencyHeader: z.union([z.string().min(1), z.literal(false)]).default('Idempotency-Key'),
  /** Header naming the event type (`writeTable`'s table name). */
  eventHeader: z.string().min(1).default('X-Event-Type'),
  /** `writeTable`: rows per delivery. 1 sends each row as its own event; more send a JSON array. */
  batchSize: z.number().int().min(1).default(1),
  /** `writeTable`: deliveries in flight at once. */
  concurrency: z.number().int().min(1).max(64).default(1),
  healthPath: z.string().default(''),
  /**
   * `writeTable`: a file that undelivered events are appended to (one JSON line per batch:
   * event, idempotency key, error, records) instead of failing the write. Relative to the
   * working directory.
   */
  deadLetterPath: z.string().min(1).optional(),
});

export type WebhookConfig = z.output<typeof webhookConfigSchema>;

/**
 * The signature header value of `body`: `prefix + hex(HMAC-SHA256(secret, [timestamp "."] body))`.
 * Receivers recompute it over the raw body bytes and compare in constant time.
 * @example
 * ```ts
 * signWebhookBody('{"ok":true}', 'shh'); // 'sha256=…'
 * ```
 */
export function signWebhookBody(body: string, key: string, options: { prefix?: string; timestamp?: string } = {}): string {
  const text = options.timestamp !== undefined ? `${options.timestamp}.${body}` : body;
  return `${options.prefix ?? 'sha256='}${createHmac('sha256', key).update(text, 'utf8').digest('hex')}`;
}

/**
 * A webhook sender (type `webhook`); implements core's `Notifier`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-webhook';
 *
 * await using hook = await getConnection('webhook', { config: { baseUrl: 'https://hooks.example.com/in/42', signing: { secret: process.env.HOOK_SECRET } } });
 * await hook.send({ payload: { event: 'load.done', rows: 1204 } });
 * await hook.writeTable(rows, 'order.created', { mode: 'append' }); // one signed event per row
 * ```
 */
export class WebhookConnection extends APIConnection<WebhookConfig> implements Notifier {
  static override schema: z.ZodType = webhookConfigSchema;
  static override description = 'Webhook sender: signed (HMAC-SHA256) JSON events with idempotency keys and retries';
  /**
   * `nativeRead` exists only because the local engine recognises writers by it; it refuses (a
   * webhook is a sender). `sparkRead` refuses with a pointer to the local engine.
   */
  static withoutCapabilities = ['read', 'spark'];

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** Posts `body` (already JSON text) signed, with `idempotencyKey`, retried per the connection's policy. */
  protected async deliver(body: string, idempotencyKey: string, extraHeaders: Record<string, string>, signal?: AbortSignal): Promise<string | undefined> {
    const c = this.config;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, */*', ...extraHeaders };
    if (c.idempotencyHeader) headers[c.idempotencyHeader] = idempotencyKey;
    if (c.signing) {
      const timestamp = c.signing.timestampHeader ? String(Math.floor(Date.now() / 1000)) : undefined;
      if (c.signing.timestampHeader && timestamp) headers[c.signing.timestampHeader] = timestamp;
      headers[c.signing.header] = signWebhookBody(body, c.signing.secret, { prefix: c.signing.prefix, ...(timestamp ? { timestamp } : {}) });
    }
    const res = await this.http.request({
      method: 'POST',
      path: c.path,
      body,
      headers,
      // With a key the receiver de-duplicates, so transient failures are safe to resend.
      ...(c.idempotencyHeader ? { idempotent: true } : {}),
      retry: { retryOn: deliveryRetryOn },
      ...(signal ? { signal } : {}),
    });
    await res.discard();
    return res.requestId;
  }

  /**
   * Sends one message: `payload` as the JSON body, or, without one, `{ subject, text, html, to }`
   * (fields that are set). Attachments, cc and bcc have no webhook meaning and are refused.
   */
  async send(message: OutgoingMessage): Promise<SendResult> {
    if (message.attachments?.length || message.cc?.length || message.bcc?.length) {
      throw new UnsupportedOperationError('webhook: attachments, cc and bcc have no meaning for a webhook; put what the receiver needs in payload', { connector: this.type });
    }
    const payload =
      message.payload !== undefined
        ? message.payload
        : Object.fromEntries(Object.entries({ subject: message.subject, text: message.text, html: message.html, to: message.to }).filter(([, v]) => v !== undefined));
    const key = message.idempotencyKey ?? randomUUID();
    const requestId = await this.deliver(JSON.stringify(payload), key, {}, message.signal);
    return { id: requestId ?? key, accepted: 1 };
  }

  /**
   * Sends the rows as events named `event` (in the `eventHeader`): one row per delivery, or
   * arrays of `batchSize` rows. Modes `append` and `errorIfExists` send; `overwrite` and
   * `ignore` are refused. A delivery that fails after retries goes to `deadLetterPath` when one
   * is set (the result counts only delivered rows), else fails the write with a `WriteError`
   * naming the batch and how many rows were delivered before it.
   */
  async nativeWrite(event: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`webhook: mode '${mode}' has no meaning for events (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const c = this.config;
    const arrow = await getArrowToolkit(this.type);
    const records = (async function* () {
      for await (const batch of batches) for (const row of arrow.rows(batch)) yield jsonRecord(row);
    })();
    const batchSize = options.batchSize ?? c.batchSize;
    const send = async (batch: OutgoingBatch<Record<string, unknown>>) => {
      const body = JSON.stringify(batchSize === 1 ? batch.records[0] : batch.records);
      await this.deliver(body, batch.idempotencyKey ?? randomUUID(), { [c.eventHeader]: event }, context.signal);
    };
    const deadLetter = c.deadLetterPath ? resolve(c.deadLetterPath) : undefined;
    // Appends run one after another so lines from concurrent deliveries never interleave.
    let appending: Promise<void> = Promise.resolve();
    const setAside = deadLetter
      ? (batch: OutgoingBatch<Record<string, unknown>>, error: unknown) => (appending = appending.catch(() => undefined).then(async () => {
          const line = JSON.stringify({
            event,
            idempotencyKey: batch.idempotencyKey,
            batch: batch.number,
            failedAt: new Date().toISOString(),
            // Errors from the HTTP layer are already redacted; redact again for any other kind.
            error: this.http.redact(error instanceof Error ? error.message : String(error)),
            records: batch.records,
          });
          await mkdir(dirname(deadLetter), { recursive: true });
          await appendFile(deadLetter, `${line}\n`, 'utf8');
        }))
      : undefined;
    const result = await sendBatches({
      connector: this.type,
      target: `webhook event '${event}' to ${this.http.resolveUrl(c.path).pathname}`,
      ...(setAside ? { setAside } : {}),
      records,
      batchSize,
      concurrency: c.concurrency,
      idempotencyKeys: true,
      send,
      onBatch: (b) => context.onRows(b.records.length, 0),
      signal: context.signal,
    });
    return { table: event, mode, rows: result.records, written: true };
  }

  /** Refuses: a webhook is a sender, there is nothing to read. */
  async nativeRead(event: string, _options: ReadTableOptions): Promise<NativeReadPlan> {
    throw new UnsupportedOperationError(`webhook: a webhook is a sender; there is nothing to read as '${event}'. Use writeTable or send`, { connector: this.type });
  }

  /** Refuses: Spark cannot send webhooks. Write without `spark` (the local engine). */
  sparkRead(event: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(`webhook: a webhook is a sender; there is nothing to read as '${event}', in Spark or otherwise`, { connector: this.type });
  }

  /** Refuses, pointing at the local engine. */
  sparkWrite(event: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(`webhook: Spark has no webhook sink, so event '${event}' cannot be sent from Spark. Open the connection without 'spark' and write with the local engine`, { connector: this.type });
  }
}
