/**
 * `MemoryNotifyConnection`: the in-memory reference of the notify capability. It records every
 * delivered message (with attachment bytes) in a named store, so a test reads back exactly what
 * a sender would have put on the wire, and refuses configured recipients the way an SMTP server
 * rejects a RCPT.
 */
import { z } from 'zod';
import { HealthSkip, InvalidArgumentError, NotifyConnection, notifyConfigSchema, type OutgoingMessage, type SendResult } from '@sparkle/core';
import { memoryState } from './memory-store.js';

export const memoryNotifyConfigSchema = notifyConfigSchema.extend({
  store: z.string().min(1).default('default'),
  /** Recipients the "server" refuses (their sends report them in `rejected`). */
  rejectRecipients: z.array(z.string()).default([]),
  /** Channel name used as the lineage destination (as a Slack connector would). */
  channel: z.string().default('notifications'),
});

export type MemoryNotifyConfig = z.output<typeof memoryNotifyConfigSchema>;

/** A delivered message as the reference recorded it (attachments as bytes). */
export interface DeliveredMessage {
  id: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject?: string;
  text?: string;
  html?: string;
  payload?: unknown;
  attachments: Array<{ filename: string; contentType?: string; content: Uint8Array }>;
  idempotencyKey?: string;
}

interface NotifyState {
  delivered: DeliveredMessage[];
  keys: Map<string, SendResult>;
  next: number;
}

/**
 * The notify reference.
 *
 * @example
 * ```ts
 * const mail = new MemoryNotifyConnection({ type: 'memory_notify', config: { store: 't' } });
 * await mail.send({ to: ['ops@example.test'], subject: 'done', text: '42 rows' });
 * mail.delivered(); // [{ to: ['ops@example.test'], subject: 'done', … }]
 * ```
 */
export class MemoryNotifyConnection extends NotifyConnection<MemoryNotifyConfig> {
  static override schema: z.ZodType = memoryNotifyConfigSchema;
  static override description = 'In-memory notifier (reference implementation)';
  static override lineageScheme = 'memnotify';

  private get state(): NotifyState {
    return memoryState<NotifyState>('notify', this.config.store, () => ({ delivered: [], keys: new Map(), next: 1 }));
  }

  /** Messages delivered so far in this store, oldest first. */
  delivered(): DeliveredMessage[] {
    return structuredClone(this.state.delivered);
  }

  protected override destinationOf(): string {
    return this.config.channel;
  }

  protected async deliver(message: OutgoingMessage): Promise<SendResult> {
    this.assertOpen();
    message.signal?.throwIfAborted();
    if (message.idempotencyKey && this.state.keys.has(message.idempotencyKey)) return structuredClone(this.state.keys.get(message.idempotencyKey)!);
    const recipients = [...(message.to ?? []), ...(message.cc ?? []), ...(message.bcc ?? [])];
    if (recipients.length === 0) throw new InvalidArgumentError(`${this.type}: no recipients (give 'to' or configure defaultTo)`, { connector: this.type });
    const refused = new Set(this.config.rejectRecipients);
    const rejected = recipients.filter((r) => refused.has(r)).map((recipient) => ({ recipient, reason: '550 mailbox unavailable' }));
    const id = `msg-${this.state.next++}`;
    this.state.delivered.push({
      id,
      to: [...(message.to ?? [])].filter((r) => !refused.has(r)),
      cc: [...(message.cc ?? [])].filter((r) => !refused.has(r)),
      bcc: [...(message.bcc ?? [])].filter((r) => !refused.has(r)),
      subject: message.subject,
      text: message.text,
      html: message.html,
      payload: message.payload === undefined ? undefined : structuredClone(message.payload),
      attachments: (message.attachments ?? []).map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: typeof a.content === 'string' ? new TextEncoder().encode(a.content) : a.content.slice(),
      })),
      idempotencyKey: message.idempotencyKey,
    });
    const result: SendResult = { id, accepted: recipients.length - rejected.length, ...(rejected.length ? { rejected } : {}) };
    if (message.idempotencyKey) this.state.keys.set(message.idempotencyKey, result);
    return structuredClone(result);
  }

  protected override async verify(): Promise<string | HealthSkip> {
    this.assertOpen();
    return `store '${this.config.store}' accepts messages`;
  }
}
