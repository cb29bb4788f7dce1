// {{banner}}
/**
 * `{{className}}`: {{description}}, a sender. `NotifyConnection` owns the shared behaviour —
 * message validation, the lineage `send` run, typed redacted errors, a health check that never
 * sends; this class adds the delivery client.
 */
import { z } from 'zod';
import { HealthSkip, NotifyConnection, notifyConfigSchema, UnsupportedOperationError, type ConnectionInit, type OutgoingMessage, type SendResult } from '@sparkle/core';

/** Config of the `{{type}}` connection: the service's url (or host/port), token, default recipients. */
export const {{schemaName}} = notifyConfigSchema.extend({});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/** What this connection needs from the system: delivering one message, and optionally proving the credentials. */
export interface {{clientName}} {
  send(message: OutgoingMessage): Promise<SendResult>;
  verify?(signal: AbortSignal): Promise<string>;
}

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { host: 'mail.example.com', defaultTo: ['ops@example.com'] } });
 * await conn.send({ subject: 'Load done', text: '1,204 rows' });
 * ```
 */
export class {{className}} extends NotifyConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override family = '{{family}}';
  static override description = '{{description}}';
{{#port}}
  static override defaultPort = {{port}};
{{/port}}
  readonly #client: {{clientName}} | undefined;

  /** `client` replaces the delivery client (tests pass an in-memory mailbox). */
  constructor(init: ConnectionInit & { client?: {{clientName}} }) {
    super(init);
    this.#client = init.client;
  }

  /** The delivery client. TODO: talk to the system here (SMTP, chat API, webhook). */
  protected async client(): Promise<{{clientName}}> {
    if (this.#client) return this.#client;
    throw new UnsupportedOperationError(`${this.type}: the delivery client is not implemented yet (src/connection.ts, client())`, { connector: this.type });
  }

  protected async deliver(message: OutgoingMessage): Promise<SendResult> {
    return (await this.client()).send(message);
  }

  protected override async verify(signal: AbortSignal): Promise<string | HealthSkip> {
    const client = await this.client();
    return client.verify ? client.verify(signal) : new HealthSkip('the client has no verify call');
  }
}
