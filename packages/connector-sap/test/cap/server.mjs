// Serves test/cap (a small CAP model with seed data) on a random loopback port with an in-memory
// SQLite database: OData V4 at /odata/v4/catalog, and OData V2 at /odata/v2/catalog through the
// community V2 adapter. In front of V2 sits a CSRF check that behaves like an SAP Gateway's
// (`x-csrf-token: fetch` on a GET hands out a token bound to a session cookie; a write without
// both is refused with 403 and `x-csrf-token: Required`). Prints one JSON line with the URL.
// Started by test/cap-service.ts as a child process; stops when its parent's stdin closes.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
process.chdir(here);
const require = createRequire(import.meta.url);
const cds = require('@sap/cds');
const express = require('express');

const sessions = new Map(); // session cookie → token
function csrf(req, res, next) {
  const cookie = /(?:^|;\s*)SAP_SESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (String(req.headers['x-csrf-token'] ?? '').toLowerCase() === 'fetch') {
      const session = cookie && sessions.has(cookie) ? cookie : randomUUID();
      const token = sessions.get(session) ?? randomUUID().replaceAll('-', '');
      sessions.set(session, token);
      res.setHeader('x-csrf-token', token);
      res.setHeader('set-cookie', [`SAP_SESSIONID=${session}; Path=/; HttpOnly`, `sap-usercontext=sap-client=100; Path=/`]);
    }
    return next();
  }
  const sent = req.headers['x-csrf-token'];
  if (!cookie || !sent || sessions.get(cookie) !== sent) {
    res.setHeader('x-csrf-token', 'Required');
    return res.status(403).type('text/plain').send('CSRF token validation failed');
  }
  next();
}

const app = express();
app.use('/odata/v2', csrf);
// Plugins (SQLite) are found through this folder's package.json; the V2 adapter is mounted here,
// behind the CSRF check (its target is inferred from the server's URL once it listens).
await cds.plugins;
const cov2ap = require('@cap-js-community/odata-v2-adapter');
app.use(cov2ap.singleton());
const server = await cds.server({ app, in_memory: true, port: 0, service: 'all', from: '*' });
await new Promise((resolve) => (server.listening ? resolve() : server.once('listening', resolve)));
const { port } = server.address();
// `cds serve` (the CLI) announces this; the V2 adapter binds its routes to the URL on it.
cds.emit('listening', { server, url: `http://127.0.0.1:${port}` });
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
