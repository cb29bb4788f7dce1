/**
 * An in-process fake of the Slack Web API endpoints this connector calls (`chat.postMessage`,
 * `auth.test`, and the external file upload flow: `files.getUploadURLExternal`, the upload URL,
 * `files.completeUploadExternal`), on node:http. It does what Slack does that matters to the client: checks the
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
  /** Files shared with this post (completeUploadExternal). */
  files?: Array<{ filename: string; content: Buffer }>;
}

/** An upload slot handed out by files.getUploadURLExternal. */
interface Slot {
  filename: string;
  length: number;
  content?: Buffer;
  /** Headers the upload came with (to prove no token reached the upload URL). */
  headers?: Record<string, unknown>;
}

export interface FakeSlack extends TestHttpServer {
  apiUrl: string;
  posts: Post[];
  /** The Authorization headers seen, in order. */
  authHeaders: string[];
  /** Requests to answer with 429 + Retry-After: 1 before serving. */
  throttle: { remaining: number };
  /** Upload slots by file id, with the bytes and headers each upload came with. */
  uploads: Map<string, Slot>;
  /** When set, files.getUploadURLExternal answers this upload URL instead of its own. */
  uploadUrlOverride: { value?: string };
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
  const uploads = new Map<string, Slot>();
  const uploadUrlOverride: { value?: string } = {};
  let seq = 0;
  const server = await startHttpServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    // The pre-signed upload URL: no token needed; the body is the file's bytes.
    const upload = /^\/upload\/(F\w+)$/.exec(path);
    if (upload) {
      const slot = uploads.get(upload[1]!);
      if (!slot || req.method !== 'POST') return sendJson(res, 404, { ok: false });
      const content = Buffer.from(req.rawBody);
      if (content.length !== slot.length) return sendJson(res, 400, { ok: false, error: `expected ${slot.length} bytes, got ${content.length}` });
      slot.content = content;
      slot.headers = { ...req.headers };
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${content.length}`);
      return;
    }
    const method = path.replace(/^\/api\//, '');
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
      case 'files.getUploadURLExternal': {
        const length = Number(body.length);
        if (!body.filename || !Number.isInteger(length) || length < 1) return sendJson(res, 200, { ok: false, error: 'invalid_arguments' });
        const id = `F${String(++seq).padStart(8, '0')}`;
        uploads.set(id, { filename: String(body.filename), length });
        return sendJson(res, 200, { ok: true, upload_url: uploadUrlOverride.value ?? `${server.url}/upload/${id}`, file_id: id });
      }
      case 'files.completeUploadExternal': {
        const channel = String(body.channel_id ?? '');
        if (channel === 'C404' || channel.startsWith('#')) return sendJson(res, 200, { ok: false, error: 'channel_not_found' });
        const wanted = (typeof body.files === 'string' ? JSON.parse(body.files) : body.files) as Array<{ id: string; title?: string }>;
        const slots = wanted.map((f) => uploads.get(f.id));
        // Slack refuses to complete a file whose bytes never arrived.
        if (slots.some((slot) => !slot?.content)) return sendJson(res, 200, { ok: false, error: 'file_not_found' });
        const ts = `1765100000.${String(++seq).padStart(6, '0')}`;
        posts.push({
          channel,
          text: String(body.initial_comment ?? ''),
          ts,
          files: slots.map((slot) => ({ filename: slot!.filename, content: slot!.content! })),
          ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
        });
        return sendJson(res, 200, { ok: true, files: wanted.map((f) => ({ id: f.id, title: f.title ?? '' })) });
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
    uploads,
    uploadUrlOverride,
    async received() {
      return posts.map((p) => ({ to: [p.channel], text: p.text, attachments: (p.files ?? []).map((f) => ({ filename: f.filename, content: new Uint8Array(f.content) })) }));
    },
  });
}
