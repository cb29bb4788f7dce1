/**
 * An in-process fake of the Slack Web API endpoints this connector calls (`chat.postMessage`,
 * `auth.test`), on node:http. It does what Slack does that matters to the client: checks the
 * bearer token, answers HTTP 200 with `{ ok: false, error }` for refusals (`invalid_auth`,
 * `channel_not_found`, `is_archived`, `missing_scope` with `needed`), HTTP 429 with `Retry-After`
 * when told to throttle, and `{ ok: true, channel, ts, message }` for a post. It records every call.
 */
import { sendJson, startHttpServer, type TestHttpServer } from '@sparkle/testkit';
import type { ReceivedMessage } from '@sparkle/testkit';

export const SLACK_TOKEN = 'xoxb-sparkle-Fake-Token-Never-Shown-4242';

export interface Post {
  channel: string;
  text: string;
  blocks?: unknown;
  thread_ts?: string;
  ts: string;
}

export interface FakeSlack extends TestHttpServer {
  apiUrl: string;
  posts: Post[];
  /** The Authorization headers seen, in order. */
  authHeaders: string[];
  /** Requests to answer with 429 + Retry-After: 1 before serving. */
  throttle: { remaining: number };
  received(): Promise<ReceivedMessage[]>;
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // Slack's form encoding carries structured arguments (blocks) as JSON text.
    out[k] = k === 'blocks' || k === 'attachments' ? JSON.parse(v) : v;
  }
  return out;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const posts: Post[] = [];
  const authHeaders: string[] = [];
  const throttle = { remaining: 0 };
  let seq = 0;
  const server = await startHttpServer((req, res) => {
    const method = new URL(req.url, 'http://x').pathname.replace(/^\/api\//, '');
    authHeaders.push(String(req.headers.authorization ?? ''));
    if (throttle.remaining > 0) {
      throttle.remaining--;
      return sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    }
    if (req.headers.authorization !== `Bearer ${SLACK_TOKEN}`) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
    const body = parseBody(req.body, req.headers['content-type']);
    switch (method) {
      case 'auth.test':
        return sendJson(res, 200, { ok: true, url: 'https://sparkle-test.example/', team: 'Sparkle Test', user: 'sparkle-bot', team_id: 'T0SPARKLE', user_id: 'U0BOT', bot_id: 'B0BOT' });
      case 'chat.postMessage': {
        const channel = String(body.channel ?? '');
        if (channel === 'C404' || channel === '#nowhere') return sendJson(res, 200, { ok: false, error: 'channel_not_found' });
        if (channel === 'CARCHIVED') return sendJson(res, 200, { ok: false, error: 'is_archived' });
        if (channel === 'CSCOPE') return sendJson(res, 200, { ok: false, error: 'missing_scope', needed: 'chat:write.public', provided: 'chat:write' });
        if (!body.text && !body.blocks) return sendJson(res, 200, { ok: false, error: 'no_text' });
        const ts = `1765100000.${String(++seq).padStart(6, '0')}`;
        const post: Post = { channel, text: String(body.text ?? ''), ts, ...(body.blocks ? { blocks: body.blocks } : {}), ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}) };
        posts.push(post);
        return sendJson(res, 200, { ok: true, channel: channel.startsWith('#') ? 'C0RESOLVED' : channel, ts, message: { type: 'message', text: post.text, ts, bot_id: 'B0BOT' } });
      }
      default:
        return sendJson(res, 200, { ok: false, error: 'unknown_method' });
    }
  });
  return Object.assign(server, {
    apiUrl: `${server.url}/api/`,
    posts,
    authHeaders,
    throttle,
    async received() {
      return posts.map((p) => ({ to: [p.channel], text: p.text, attachments: [] }));
    },
  });
}
