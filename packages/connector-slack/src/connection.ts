/**
 * `SlackConnection` (type `slack`): notifications through Slack's Web API with the official
 * `@slack/web-api` client: `chat.postMessage` with text and Block Kit blocks, thread replies,
 * one post per channel, and files through Slack's external upload flow. Rate limits are the client's: on 429 it waits what `Retry-After` says and
 * retries (or, with `rateLimit: "fail"`, stops with a retryable error). `auth.test` proves the token
 * in the health check without posting.
 */
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import type { WebClient } from '@slack/web-api';
import type { Attachment } from '@sparkle/core';
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
  type Endpoint,
  type NativeReadPlan,
  type NativeWriteContext,
  type OutgoingMessage,
  type ReadTableOptions,
  type SendResult,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { slackConfigSchema, type SlackConfig } from './config.js';

/** Slack error codes that mean the token itself is bad: nothing else will work either. */
const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'no_permission', 'missing_scope', 'not_allowed_token_type', 'ekm_access_denied']);
/** Slack error codes that refuse one channel (reported per channel; other channels still get the post). */
const CHANNEL_ERRORS = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'restricted_action', 'cannot_reply_to_message', 'thread_not_found']);
/** Transient answers worth retrying later. */
const TRANSIENT_ERRORS = new Set(['ratelimited', 'rate_limited', 'service_unavailable', 'fatal_error', 'internal_error', 'request_timeout']);

/** What `payload` may carry for Slack. */
export interface SlackPayload {
  blocks?: unknown[];
  /** Reply in this thread (parent message `ts`). */
  thread_ts?: string;
  /** Also show a thread reply in the channel. */
  reply_broadcast?: boolean;
}

interface SlackCallError extends Error {
  code?: string;
  data?: { error?: string; needed?: string; response_metadata?: { messages?: string[] } };
  retryAfter?: number;
  statusCode?: number;
  original?: Error;
}

/**
 * Slack notifications.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-slack';
 *
 * await using slack = await getConnection('slack', { env: 'prod' }); // config/connections/slack/{common,prod}.json
 * const { id: ts } = await slack.send({ to: ['#data-ops'], text: 'Nightly load done: 1,204 rows' });
 * await slack.send({ to: ['#data-ops'], text: 'details', payload: { thread_ts: ts, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*orders*: 1,204' } }] } });
 * ```
 */
export class SlackConnection extends NotifyConnection<SlackConfig> {
  static override schema: z.ZodType = slackConfigSchema;
  static override family = 'notify';
  static override description = 'Slack notifications through the Web API: messages, blocks, threads, rate-limit aware';
  static override defaultPort = 443;
  static override lineageScheme = 'slack';
  /** `nativeRead` exists only because the local engine recognises writers by it; it refuses (Slack is posted to, not read). */
  static withoutCapabilities = ['read'];
  #client: Promise<WebClient> | undefined;

  constructor(init: ConnectionInit) {
    super(init);
  }

  /** The network tier reaches the Web API's host. */
  protected override endpoints(): Endpoint[] {
    const url = new URL(this.config.apiUrl ?? 'https://slack.com/api/');
    return [{ host: url.hostname, port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 }];
  }

  /** The Web API client (made on first use). */
  protected client(): Promise<WebClient> {
    this.assertOpen();
    this.#client ??= (async () => {
      let lib: typeof import('@slack/web-api');
      try {
        lib = await import('@slack/web-api');
      } catch (cause) {
        throw new MissingDriverError(this.type, '@slack/web-api', cause);
      }
      const c = this.config;
      const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: () => undefined, getLevel: () => lib.LogLevel.ERROR, setName: () => undefined };
      return new lib.WebClient(c.token, {
        ...(c.apiUrl ? { slackApiUrl: c.apiUrl.endsWith('/') ? c.apiUrl : `${c.apiUrl}/` } : {}),
        // The client's own logging stays off: errors reach the caller typed and redacted instead.
        logger: quiet,
        rejectRateLimitedCalls: c.rateLimit === 'fail',
        retryConfig: { retries: c.retries, factor: 2, minTimeout: 200, maxTimeout: 10_000, randomize: true },
        timeout: c.timeoutMs,
        allowAbsoluteUrls: false,
      });
    })().catch((error: unknown) => {
      this.#client = undefined;
      throw error;
    });
    return this.#client;
  }

  /** Channels come from the message or `channel`; cc/bcc and HTML-only messages are refused. */
  protected override validateMessage(message: OutgoingMessage): OutgoingMessage {
    const withChannel = !message.to?.length && this.config.channel ? { ...message, to: [this.config.channel] } : message;
    const checked = super.validateMessage(withChannel);
    if (!checked.to?.length) throw new InvalidArgumentError(`${this.type}: the message names no channel; give to: ['#channel'] or set 'channel' in the connection config`, { connector: this.type });
    if (checked.cc?.length || checked.bcc?.length) throw new UnsupportedOperationError(`${this.type}: cc and bcc have no meaning in Slack; list every channel in to`, { connector: this.type });
    if (checked.html !== undefined && checked.text === undefined && checked.payload === undefined) {
      throw new InvalidArgumentError(`${this.type}: Slack does not render HTML; give text (mrkdwn) or blocks in payload`, { connector: this.type });
    }
    return checked;
  }

  /**
   * Posts the message to each channel with `chat.postMessage`: `text` (a `subject` becomes a bold
   * first line), `payload.blocks` or a block array as `payload`, `payload.thread_ts` (or config
   * `threadTs`) to reply in a thread. A channel Slack refuses (not found, bot not in it, archived)
   * is listed in `rejected` and the others still get the post; a bad token fails at once.
   */
  protected async deliver(message: OutgoingMessage): Promise<SendResult> {
    const client = await this.client();
    const payload = (Array.isArray(message.payload) ? { blocks: message.payload } : (message.payload ?? {})) as SlackPayload;
    if (payload.blocks !== undefined && !Array.isArray(payload.blocks)) throw new InvalidArgumentError(`${this.type}: payload.blocks must be an array of Block Kit blocks`, { connector: this.type });
    const text = [message.subject ? `*${message.subject}*` : undefined, message.text].filter((t): t is string => Boolean(t)).join('\n');
    const thread = payload.thread_ts ?? this.config.threadTs;
    const rejected: Array<{ recipient: string; reason: string }> = [];
    let first: string | undefined;
    let accepted = 0;
    const files = message.attachments ?? [];
    for (const channel of message.to ?? []) {
      try {
        if (files.length && !payload.blocks) {
          // Files with plain text: one post in the channel, the text as the files' comment.
          const shared = await this.#shareFiles(client, channel, files, { comment: text || undefined, thread });
          accepted++;
          first ??= shared[0];
          continue;
        }
        const args: Record<string, unknown> = {
          channel,
          text: text || 'notification',
          ...(payload.blocks ? { blocks: payload.blocks } : {}),
          ...(thread ? { thread_ts: thread } : {}),
          ...(thread && payload.reply_broadcast ? { reply_broadcast: true } : {}),
          unfurl_links: this.config.unfurlLinks,
          unfurl_media: this.config.unfurlLinks,
        };
        // Blocks are the caller's Block Kit JSON, passed through as Slack takes them.
        const res = await client.chat.postMessage(args as unknown as Parameters<WebClient['chat']['postMessage']>[0]);
        // Slack takes blocks or a file comment, not both: with blocks the files go in the post's thread.
        if (files.length) await this.#shareFiles(client, channel, files, { thread: thread ?? res.ts });
        accepted++;
        first ??= res.ts;
      } catch (error) {
        const slackCode = (error as SlackCallError).data?.error;
        if (slackCode && CHANNEL_ERRORS.has(slackCode)) {
          rejected.push({ recipient: channel, reason: slackCode });
          continue;
        }
        throw this.#error(error, `${files.length ? 'sharing files with' : 'chat.postMessage to'} ${channel}`);
      }
    }
    if (accepted === 0) {
      throw new WriteError(`${this.type}: Slack refused every channel, so nothing was posted: ${rejected.map((r) => `${r.recipient}: ${r.reason}`).join('; ')} (invite the app to the channel, or check the channel id)`, {
        connector: this.type,
        details: { rejected, committed: false },
      });
    }
    return { ...(first ? { id: first } : {}), accepted, ...(rejected.length ? { rejected } : {}) };
  }

  /**
   * Shares files in one channel through Slack's external upload flow: `files.getUploadURLExternal`
   * for each file, the bytes POSTed to the URL Slack returns, then one
   * `files.completeUploadExternal` that posts them (with `comment`, in `thread`). The upload URL
   * is pre-signed, so the token is never sent to it; it must be https (or the configured API's own
   * origin, for a proxy or test server), so a tampered answer cannot send the files elsewhere.
   * Returns the file ids.
   */
  async #shareFiles(client: WebClient, channel: string, files: readonly Attachment[], options: { comment?: string | undefined; thread?: string | undefined }): Promise<string[]> {
    const uploaded: Array<{ id: string; title: string }> = [];
    for (const file of files) {
      const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
      const ticket = await client.files.getUploadURLExternal({ filename: file.filename, length: bytes.byteLength });
      if (!ticket.upload_url || !ticket.file_id) throw new WriteError(`${this.type}: files.getUploadURLExternal gave no upload URL for ${file.filename}`, { connector: this.type, details: { committed: false } });
      const target = this.#checkedUploadUrl(ticket.upload_url, file.filename);
      let response: Response;
      try {
        response = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': file.contentType ?? 'application/octet-stream' },
          body: bytes,
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
        await response.arrayBuffer();
      } catch (cause) {
        throw new ConnectionFailedError(`${this.type}: uploading ${file.filename} (${bytes.byteLength} bytes) to Slack failed: ${this.redact((cause as Error).message)}`, { connector: this.type, cause, retryable: true });
      }
      if (response.status !== 200) {
        throw new WriteError(`${this.type}: Slack's upload URL answered HTTP ${response.status} for ${file.filename}; nothing was shared`, { connector: this.type, retryable: response.status >= 500, details: { status: response.status, committed: false } });
      }
      uploaded.push({ id: ticket.file_id, title: file.filename });
    }
    await client.files.completeUploadExternal({
      files: uploaded as [{ id: string; title: string }],
      channel_id: channel,
      ...(options.comment ? { initial_comment: options.comment } : {}),
      ...(options.thread ? { thread_ts: options.thread } : {}),
    } as unknown as Parameters<WebClient['files']['completeUploadExternal']>[0]);
    return uploaded.map((u) => u.id);
  }

  /** The upload URL Slack gave, refused unless it is https or on the configured API's origin. */
  #checkedUploadUrl(raw: string, filename: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WriteError(`${this.type}: Slack gave an upload URL for ${filename} that is not a URL`, { connector: this.type, details: { committed: false } });
    }
    const apiOrigin = new URL(this.config.apiUrl ?? 'https://slack.com/api/').origin;
    if (url.protocol !== 'https:' && url.origin !== apiOrigin) {
      throw new WriteError(`${this.type}: refusing to upload ${filename} to ${url.protocol}//${url.host}: an upload URL must be https (or on the configured apiUrl's origin)`, { connector: this.type, details: { committed: false } });
    }
    return url;
  }

  /**
   * Posts the rows to the default channel, as `table` in the config says: `summary` (default) —
   * one message with the row count and the first `previewRows` rows in a code block; `row` — one
   * message per row (`column: value` lines), at most `maxMessages`. Modes `append` and
   * `errorIfExists` post; `overwrite` and `ignore` are refused.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`${this.type}: mode '${mode}' has no meaning for Slack messages (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const t = this.config.table;
    const arrow = await getArrowToolkit(this.type);
    let columns: string[] = [];
    const preview: Array<Record<string, unknown>> = [];
    let count = 0;
    for await (const batch of batches) {
      columns = batch.schema.fields.map((f) => f.name);
      for (const row of arrow.rows(batch)) {
        if (t.mode === 'row') {
          if (count >= t.maxMessages) {
            throw new WriteError(`${this.type}: writeTable in row mode posts one message per row and stopped at table.maxMessages=${t.maxMessages} (${count} posted); use table.mode 'summary', or raise maxMessages`, {
              connector: this.type,
              details: { committed: count > 0, sent: count },
            });
          }
          await this.send({ text: `*${name}* row ${count + 1}\n${recordText(columns, row)}` });
          context.onRows(1, 0);
        } else if (preview.length < t.previewRows) preview.push(row);
        count++;
      }
    }
    if (t.mode === 'summary') {
      const table = preview.length ? `\n\`\`\`\n${previewTable(columns, preview)}\n\`\`\`${count > preview.length ? `\n… and ${count - preview.length} more` : ''}` : '';
      await this.send({ text: `*${name}*: ${count} row${count === 1 ? '' : 's'}${table}` });
      context.onRows(count, 0);
    }
    return { table: name, mode, rows: count, written: true };
  }

  /** Refuses: a Slack connection posts messages; there is nothing to read. */
  async nativeRead(name: string, _options: ReadTableOptions): Promise<NativeReadPlan> {
    throw new UnsupportedOperationError(`${this.type}: a Slack connection posts messages; there is nothing to read as '${name}'. Use writeTable or send`, { connector: this.type });
  }

  /** `auth.test`: proves the token and names the workspace, without posting. */
  protected override async verify(_signal: AbortSignal): Promise<string> {
    const client = await this.client();
    try {
      const res = await client.auth.test();
      return `token valid for workspace ${res.team ?? res.team_id ?? '?'} as ${res.user ?? res.user_id ?? '?'}; nothing posted`;
    } catch (error) {
      throw this.#error(error, 'auth.test');
    }
  }

  /** A typed, redacted error from a Web API call. */
  #error(error: unknown, what: string): SparkleError {
    if (SparkleError.isInstance(error)) return error;
    const e = (error ?? {}) as SlackCallError;
    const message = this.redact(e.message ?? String(error));
    const slackCode = e.data?.error;
    const details: Record<string, unknown> = { ...(e.code ? { driverCode: e.code } : {}), ...(slackCode ? { slackError: slackCode } : {}) };
    if (e.code === 'slack_webapi_rate_limited_error') {
      return new ConnectionFailedError(`${this.type}: ${what} was rate limited; Slack asks to wait ${e.retryAfter ?? '?'} s (rateLimit is 'fail'; set it to 'wait' to wait and retry)`, {
        connector: this.type,
        cause: error,
        retryable: true,
        details: { ...details, retryAfterMs: (e.retryAfter ?? 0) * 1000 },
      });
    }
    if (slackCode && AUTH_ERRORS.has(slackCode)) {
      const scope = slackCode === 'missing_scope' && e.data?.needed ? ` (the token needs scope ${e.data.needed})` : '';
      return new AuthenticationError(`${this.type}: Slack refused the token for ${what}: ${slackCode}${scope}; check the token and the app's scopes`, { connector: this.type, cause: error, details });
    }
    if (slackCode) {
      return new WriteError(`${this.type}: ${what} failed: ${slackCode}${e.data?.response_metadata?.messages?.length ? ` (${this.redact(e.data.response_metadata.messages.join('; '))})` : ''}`, {
        connector: this.type,
        cause: error,
        retryable: TRANSIENT_ERRORS.has(slackCode),
        details: { ...details, committed: false },
      });
    }
    if (e.code === 'slack_webapi_http_error') {
      const status = e.statusCode;
      return new ConnectionFailedError(`${this.type}: ${what} answered HTTP ${status ?? '?'} (${message})`, { connector: this.type, cause: error, retryable: status === undefined || status >= 500 || status === 429, details: { ...details, status } });
    }
    if (e.code === 'slack_webapi_request_error') {
      return new ConnectionFailedError(`${this.type}: cannot reach the Slack Web API for ${what} (${this.redact(e.original?.message ?? message)})`, { connector: this.type, cause: error, details });
    }
    return this.wrapError(error, what);
  }
}
