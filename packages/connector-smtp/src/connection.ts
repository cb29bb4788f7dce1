/**
 * `SmtpConnection` (type `smtp`, alias `email`): a mail sender on core's notify family base,
 * through nodemailer. Each `send()` opens an SMTP session (implicit TLS or STARTTLS, AUTH when a
 * user is set), hands over the message with its attachments, and reports per recipient what the
 * server accepted and refused. The health check's auth tier runs EHLO, STARTTLS and AUTH without
 * sending anything.
 */
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import type { SentMessageInfo, Transporter } from 'nodemailer';
import {
  previewTable,
  recordText,
  AuthenticationError,
  ConnectionFailedError,
  getArrowToolkit,
  InvalidArgumentError,
  MissingDriverError,
  NotifyConnection,
  SparkleError,
  UnsupportedOperationError,
  WriteError,
  type ConnectionInit,
  type NativeReadPlan,
  type NativeWriteContext,
  type OutgoingMessage,
  type ReadTableOptions,
  type SendResult,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { invalidRecipients } from './addresses.js';
import { smtpConfigSchema, type SmtpConfig } from './config.js';
import { fileNameOf, rowsToCsv } from './table-messages.js';

/** What nodemailer puts on its errors. */
interface MailError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  recipient?: string;
  rejected?: string[];
  rejectedErrors?: MailError[];
}

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL']);

/**
 * An SMTP mail sender.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-smtp';
 *
 * await using mail = await getConnection('smtp', { env: 'prod' }); // config/connections/smtp/{common,prod}.json
 * const result = await mail.send({
 *   to: ['ops@example.com'],
 *   subject: 'Nightly load done',
 *   text: '1,204 rows loaded',
 *   attachments: [{ filename: 'report.csv', content: 'id,rows\n1,1204\n', contentType: 'text/csv' }],
 * });
 * console.log(result.accepted, result.rejected);
 * ```
 */
export class SmtpConnection extends NotifyConnection<SmtpConfig> {
  static override schema: z.ZodType = smtpConfigSchema;
  static override family = 'notify';
  static override description = 'SMTP mail sender (nodemailer): TLS/STARTTLS, auth, attachments';
  static override defaultPort = 587;
  static override lineageScheme = 'smtp';
  /** `nativeRead` exists only because the local engine recognises writers by it; it refuses (mail is sent, not read). */
  static withoutCapabilities = ['read'];
  #transport: Promise<Transporter<SentMessageInfo>> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
    this.onClose(async () => {
      const pending = this.#transport;
      this.#transport = undefined;
      if (pending) await pending.then((t) => t.close()).catch(() => undefined);
    });
  }

  get #where(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  /** The nodemailer transport (made on first use; one SMTP session per message). */
  protected transport(): Promise<Transporter<SentMessageInfo>> {
    this.assertOpen();
    this.#transport ??= (async () => {
      let nodemailer: typeof import('nodemailer');
      try {
        nodemailer = await import('nodemailer');
      } catch (cause) {
        throw new MissingDriverError(this.type, 'nodemailer', cause);
      }
      const c = this.config;
      const secure = c.secure ?? c.port === 465;
      return nodemailer.createTransport({
        host: c.host,
        port: c.port,
        secure,
        requireTLS: !secure && c.starttls === 'required',
        ignoreTLS: !secure && c.starttls === 'disabled',
        ...(c.user ? { auth: { user: c.user, pass: c.password ?? '' } } : {}),
        tls: {
          rejectUnauthorized: c.tls.rejectUnauthorized,
          ...(c.tls.ca ? { ca: c.tls.ca } : {}),
          ...(c.tls.servername ? { servername: c.tls.servername } : {}),
        },
        ...(c.clientName ? { name: c.clientName } : {}),
        connectionTimeout: c.connectTimeoutMs ?? 10_000,
        greetingTimeout: c.socketTimeoutMs,
        socketTimeout: c.socketTimeoutMs,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
    })().catch((error: unknown) => {
      this.#transport = undefined;
      throw error;
    });
    return this.#transport;
  }

  /** Default recipients come from `to` (or `defaultTo`); a payload-only message has no meaning for mail. */
  protected override validateMessage(message: OutgoingMessage): OutgoingMessage {
    const withTo = !message.to?.length && this.config.to?.length ? { ...message, to: this.config.to } : message;
    const checked = super.validateMessage(withTo);
    if (checked.payload !== undefined && !checked.text && !checked.html && !checked.attachments?.length) {
      throw new InvalidArgumentError(`${this.type}: an e-mail has no structured payload; give text or html (or attach the payload as a file)`, { connector: this.type });
    }
    const all = [...(checked.to ?? []), ...(checked.cc ?? []), ...(checked.bcc ?? [])];
    if (all.length === 0) {
      throw new InvalidArgumentError(`${this.type}: the message has no recipients; give to (or cc/bcc), or set 'to' in the connection config`, { connector: this.type });
    }
    const bad = invalidRecipients(all);
    if (bad.length) {
      throw new InvalidArgumentError(
        `${this.type}: ${bad.length} of ${all.length} recipients are not valid addresses, so nothing was sent: ${bad.map((b) => `'${b.recipient}' (${b.reason})`).join('; ')}`,
        { connector: this.type, details: { invalid: bad } },
      );
    }
    return checked;
  }

  /** Sends one message; recipients the server refused are listed in `rejected` with its answer. */
  protected async deliver(message: OutgoingMessage): Promise<SendResult> {
    const transport = await this.transport();
    let info: SentMessageInfo;
    try {
      info = await transport.sendMail({
        from: this.config.from,
        ...(message.to?.length ? { to: [...message.to] } : {}),
        ...(message.cc?.length ? { cc: [...message.cc] } : {}),
        ...(message.bcc?.length ? { bcc: [...message.bcc] } : {}),
        ...(message.subject !== undefined ? { subject: message.subject } : {}),
        ...(message.text !== undefined ? { text: message.text } : {}),
        ...(message.html !== undefined ? { html: message.html } : {}),
        attachments: (message.attachments ?? []).map((a) => ({
          filename: a.filename,
          content: typeof a.content === 'string' ? a.content : Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
          ...(a.contentType ? { contentType: a.contentType } : {}),
        })),
        ...(message.idempotencyKey ? { messageId: `<${message.idempotencyKey.replace(/[<>\s]/g, '')}@sparkle>` } : {}),
      });
    } catch (error) {
      throw this.#sendError(error, 'send');
    }
    const refusals = new Map<string, string>();
    for (const e of (info.rejectedErrors ?? []) as MailError[]) if (e.recipient) refusals.set(e.recipient, this.redact(e.response ?? e.message));
    const rejected = ((info.rejected ?? []) as Array<string | { address: string }>).map((r) => {
      const recipient = typeof r === 'string' ? r : r.address;
      return { recipient, reason: refusals.get(recipient) ?? 'refused by the server' };
    });
    return { id: String(info.messageId ?? ''), accepted: (info.accepted ?? []).length, ...(rejected.length ? { rejected } : {}) };
  }

  /** EHLO, STARTTLS (as configured) and AUTH, without sending anything. */
  protected override async verify(_signal: AbortSignal): Promise<string> {
    const transport = await this.transport();
    try {
      await transport.verify();
    } catch (error) {
      throw this.#sendError(error, 'verify');
    }
    const c = this.config;
    const secure = c.secure ?? c.port === 465;
    const how = secure ? 'implicit TLS' : c.starttls === 'disabled' ? 'no TLS' : `STARTTLS ${c.starttls}`;
    return `EHLO (${how})${c.user ? ` and AUTH as ${c.user}` : ''} accepted by ${this.#where}; nothing sent`;
  }

  /**
   * Sends the rows as mail (`table` in the config): `summary` (default) — one e-mail with the row
   * count, the first `previewRows` rows in the body and every row as `<name>.csv`; `row` — one
   * e-mail per row (`column: value` lines), at most `maxMessages`. Modes `append` and
   * `errorIfExists` send; `overwrite` and `ignore` have no meaning for mail and are refused.
   * @example
   * ```ts
   * await mail.writeTable(await warehouse.query('select region, sum(total) from orders group by 1'), 'daily_totals', { mode: 'append' });
   * ```
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`${this.type}: mode '${mode}' has no meaning for e-mail (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const t = this.config.table;
    const arrow = await getArrowToolkit(this.type);
    let columns: string[] = [];
    const rows: Array<Record<string, unknown>> = [];
    let sent = 0;
    for await (const batch of batches) {
      columns = batch.schema.fields.map((f) => f.name);
      for (const row of arrow.rows(batch)) {
        if (t.mode === 'row') {
          if (sent >= t.maxMessages) {
            throw new WriteError(`${this.type}: writeTable in row mode sends one e-mail per row and stopped at table.maxMessages=${t.maxMessages} (${sent} sent); use table.mode 'summary', or raise maxMessages`, {
              connector: this.type,
              details: { committed: sent > 0, sent },
            });
          }
          await this.send({ subject: `${name}: row ${sent + 1}`, text: recordText(columns, row) });
          sent++;
          context.onRows(1, 0);
          continue;
        }
        if (rows.length >= t.maxRows) {
          throw new WriteError(`${this.type}: writeTable in summary mode holds the rows for the CSV attachment and stops at table.maxRows=${t.maxRows}; nothing was sent. Write fewer rows, or raise maxRows`, {
            connector: this.type,
            details: { committed: false },
          });
        }
        rows.push(row);
      }
    }
    if (t.mode === 'row') return { table: name, mode, rows: sent, written: sent > 0 };
    const csv = t.attachCsv ? rowsToCsv(columns, rows) : undefined;
    const preview = t.previewRows > 0 && rows.length > 0 ? `\n\n${previewTable(columns, rows.slice(0, t.previewRows))}${rows.length > t.previewRows ? `\n… and ${rows.length - t.previewRows} more` : ''}` : '';
    await this.send({
      subject: `${name}: ${rows.length} row${rows.length === 1 ? '' : 's'}`,
      text: `${rows.length} row${rows.length === 1 ? '' : 's'} written to '${name}'.${preview}${csv ? '\n\nEvery row is attached as CSV.' : ''}\n`,
      ...(csv ? { attachments: [{ filename: fileNameOf(name, 'csv'), content: csv, contentType: 'text/csv' }] } : {}),
    });
    context.onRows(rows.length, csv ? Buffer.byteLength(csv) : 0);
    return { table: name, mode, rows: rows.length, ...(csv ? { bytes: Buffer.byteLength(csv) } : {}), written: true };
  }

  /** Refuses: mail is sent, not read. */
  async nativeRead(name: string, _options: ReadTableOptions): Promise<NativeReadPlan> {
    throw new UnsupportedOperationError(`${this.type}: an SMTP connection sends mail; there is nothing to read as '${name}'. Use writeTable or send`, { connector: this.type });
  }

  /**
   * A typed, redacted error: refused login → AuthenticationError (not retryable); unreachable or
   * dropped → ConnectionFailedError (retryable); TLS failure → not retryable; the server's 4xx →
   * retryable WriteError, 5xx → not; every recipient refused → WriteError listing each with its answer.
   */
  #sendError(error: unknown, what: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const e = (error ?? {}) as MailError;
    const message = this.redact(e.message ?? String(error));
    const code = e.code;
    const status = e.responseCode;
    const details: Record<string, unknown> = { ...(code ? { driverCode: code } : {}), ...(status ? { responseCode: status } : {}), ...(e.command ? { command: e.command } : {}) };
    if (code === 'EAUTH' || status === 535 || status === 534 || status === 530) {
      return new AuthenticationError(`${this.type}: ${this.#where} refused the login${this.config.user ? ` of '${this.config.user}'` : ''} (${message}); check user and password`, { connector: this.type, cause: error, details });
    }
    if (code === 'ETLS' || /certificate|self[- ]signed|TLS|SSL/i.test(message) && !status) {
      return new ConnectionFailedError(`${this.type}: TLS with ${this.#where} failed (${message}); check secure/starttls, and tls.ca for a private certificate authority`, {
        connector: this.type,
        cause: error,
        retryable: false,
        details,
      });
    }
    if (code === 'EENVELOPE' && e.rejected?.length) {
      const answers = (e.rejectedErrors ?? []).map((r) => ({ recipient: r.recipient ?? '?', reason: this.redact(r.response ?? r.message), responseCode: r.responseCode }));
      const transient = answers.length > 0 && answers.every((a) => a.responseCode !== undefined && a.responseCode >= 400 && a.responseCode < 500);
      return new WriteError(`${this.type}: ${this.#where} refused every recipient, so nothing was sent: ${answers.map((a) => `${a.recipient}: ${a.reason}`).join('; ')}`, {
        connector: this.type,
        cause: error,
        retryable: transient,
        details: { ...details, rejected: answers, committed: false },
      });
    }
    if (code && NETWORK_CODES.has(code) && !status) {
      return new ConnectionFailedError(`${this.type}: cannot ${what} through ${this.#where} (${message})`, { connector: this.type, cause: error, details });
    }
    if (status !== undefined && status >= 400) {
      const transient = status < 500;
      return new WriteError(`${this.type}: ${this.#where} answered ${status} to ${e.command ?? what} (${message})${transient ? '; a temporary refusal, retry later' : ''}`, {
        connector: this.type,
        cause: error,
        retryable: transient,
        details: { ...details, committed: false },
      });
    }
    return this.wrapError(error, `${what} through ${this.#where}`);
  }
}
