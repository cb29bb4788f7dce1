/**
 * `NotifyConnection`: the family base of senders (SMTP, Slack, Teams, webhooks). A connector
 * implements `deliver()`; the base's `send()` validates the message, reports it to lineage as a
 * `send` run whose output is the destination, and wraps failures in typed, redacted errors.
 */
import { z } from 'zod';
import type { Notifier, OutgoingMessage, SendResult } from '../capabilities/notify.js';
import { SparkleConnection } from '../connection.js';
import { InvalidArgumentError, SparkleError } from '../errors.js';
import { HealthSkip, type Endpoint } from '../health.js';
import type { DatasetRef } from '../lineage/types.js';
import { datasetNamespace } from '../lineage/naming.js';
import { serviceConfigSchema, serviceEndpoints } from './service.js';

/** Config of every notify connection: the service shape plus the default destination. */
export const notifyConfigSchema = serviceConfigSchema.extend({
  /** Default recipients / channel when a message names none. */
  defaultTo: z.array(z.string().min(1)).optional(),
});

export type NotifyConfig = z.output<typeof notifyConfigSchema>;

/**
 * Base class of notify connections.
 *
 * @example
 * ```ts
 * class SlackConnection extends NotifyConnection {
 *   protected async deliver(message: OutgoingMessage): Promise<SendResult> {
 *     // POST chat.postMessage with message.text / message.payload blocks …
 *     return { id: ts, accepted: 1 };
 *   }
 *   protected override async verify() { … auth.test … return 'token valid for workspace acme'; }
 * }
 * await slack.send({ to: ['#ops'], text: 'nightly load done' });
 * ```
 */
export abstract class NotifyConnection<TConfig extends NotifyConfig = NotifyConfig> extends SparkleConnection<TConfig> implements Notifier {
  static override schema: z.ZodType = notifyConfigSchema;
  static override family = 'notify';
  /** Scheme of the lineage namespace (`smtp`, `slack`, `https`); default the type. */
  static lineageScheme?: string;
  static defaultPort?: number;

  /** Sends one message through the system. Called by `send()` after validation, inside the lineage run. */
  protected abstract deliver(message: OutgoingMessage): Promise<SendResult>;

  protected override endpoints(): Endpoint[] {
    return serviceEndpoints(this.config, (this.constructor as typeof NotifyConnection).defaultPort);
  }

  /**
   * Lineage names what a message goes to: namespace the service (`smtp://mail:587`), name the
   * destination (`notifications` unless a connector names channels). Recipient addresses are
   * personal data and are never put in lineage.
   */
  override dataset(target: string): DatasetRef {
    const scheme = (this.constructor as typeof NotifyConnection).lineageScheme ?? this.type;
    // Named from config, not from the network tier: a connection with no network check still has an identity.
    const endpoint = serviceEndpoints(this.config, (this.constructor as typeof NotifyConnection).defaultPort)[0];
    return { namespace: datasetNamespace({ scheme, host: endpoint?.host, port: endpoint?.port }), name: target };
  }

  /** The lineage dataset name of a message's destination; connectors with channels return the channel. */
  protected destinationOf(_message: OutgoingMessage): string {
    return 'notifications';
  }

  /** Refuses messages with nothing to send or nobody to send to (when the system needs recipients). */
  protected validateMessage(message: OutgoingMessage): OutgoingMessage {
    const to = message.to?.length ? message.to : this.config.defaultTo;
    const hasBody = Boolean(message.text ?? message.html ?? message.subject) || message.payload !== undefined || Boolean(message.attachments?.length);
    if (!hasBody) throw new InvalidArgumentError(`${this.type}: the message is empty; give text, html, subject, payload or attachments.`, { connector: this.type });
    for (const a of message.attachments ?? []) {
      if (!a.filename || /[\\/]/.test(a.filename)) {
        throw new InvalidArgumentError(`${this.type}: attachment filename '${a.filename}' must be a plain file name (no directories).`, { connector: this.type });
      }
    }
    return to === message.to ? message : { ...message, to };
  }

  /**
   * Sends a message: validation, a lineage `send` run (START, then COMPLETE with the accepted
   * count, or FAIL), and errors wrapped as typed, redacted SparkleErrors.
   */
  async send(message: OutgoingMessage): Promise<SendResult> {
    this.assertOpen();
    const checked = this.validateMessage(message);
    const run = this.lineageRun('send', this.destinationOf(checked), {
      recipients: (checked.to?.length ?? 0) + (checked.cc?.length ?? 0) + (checked.bcc?.length ?? 0),
      attachments: checked.attachments?.length ?? 0,
    });
    await run.start();
    try {
      const result = await this.deliver(checked);
      await run.complete({ rows: result.accepted });
      return result;
    } catch (error) {
      const e = SparkleError.isInstance(error) ? error : this.wrapError(error, 'send');
      await run.fail(e);
      throw e;
    }
  }

  /**
   * The family's auth step: a call that proves the credentials without sending (SMTP `verify`,
   * Slack `auth.test`, a webhook's HEAD). Default: skipped, because a bare webhook has none.
   */
  protected async verify(_signal: AbortSignal): Promise<string | HealthSkip> {
    return new HealthSkip('no verify call for this sender: only a real send would prove the credentials');
  }

  protected override async checkAuth(signal: AbortSignal): Promise<string | HealthSkip> {
    return this.verify(signal);
  }

  protected override async checkProbe(): Promise<HealthSkip> {
    return new HealthSkip('a notifier has no read-only probe: the check never sends a message');
  }
}
