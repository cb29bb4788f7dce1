/** The `slack` config: the bot token, the default channel, and how rate limits are met. */
import { z } from 'zod';
import { notifyConfigSchema, secret } from '@sparkle/core';

export const slackConfigSchema = notifyConfigSchema.extend({
  /** Bot or user token (`xoxb-…`), e.g. `${SLACK_BOT_TOKEN}`. */
  token: secret(z.string().min(1)),
  /** Default channel (id such as `C0123456789`, or `#name`) when a message names none. */
  channel: z.string().min(1).optional(),
  /** Web API root. Default Slack's; set for an Enterprise Grid proxy or a test server. */
  apiUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** On HTTP 429: `wait` for `Retry-After` and retry (default), or `fail` at once with a retryable error. */
  rateLimit: z.enum(['wait', 'fail']).default('wait'),
  /** Retries of a failed request (network errors, 5xx, and 429 when waiting). */
  retries: z.number().int().min(0).max(10).default(3),
  /** Per-request timeout. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Post as a reply in this thread by default (a parent message's `ts`). */
  threadTs: z.string().regex(/^\d+\.\d+$/).optional(),
  /** Let Slack unfurl links in posted text. Default false (a notification should not grow previews). */
  unfurlLinks: z.boolean().default(false),
  /** What `writeTable(rows, name)` posts. */
  table: z
    .object({
      /** `summary`: one message for the whole write; `row`: one message per row. */
      mode: z.enum(['summary', 'row']).default('summary'),
      /** Summary: rows shown in the message (as a code block). */
      previewRows: z.number().int().min(0).max(50).default(10),
      /** Row mode: messages posted at most (the write stops with an error beyond). */
      maxMessages: z.number().int().positive().default(50),
    })
    .default({ mode: 'summary', previewRows: 10, maxMessages: 50 }),
});

export type SlackConfig = z.output<typeof slackConfigSchema>;
