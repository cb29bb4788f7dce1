/**
 * A secret never leaves in a lineage event: every byte written by the file, console and HTTP
 * transports is searched for the secrets planted in metadata, datasets and error messages.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CompositeTransport, ConsoleTransport, createLineageClient, FileTransport, HttpTransport, validateRunEvent } from '../src/lineage/index.js';
import type { LineageRunSpec } from '../src/lineage/types.js';

it('no secret reaches the file, the console or the HTTP endpoint', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sparkle-olredact-'));
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const secrets = {
      password: 'pw-Zq81!x',
      urlPassword: 'UrlPa$$9',
      token: 'tok_5f2c9e',
      clientWide: 'client-wide-S3CRET',
      runSecret: 'run-only-Secret77',
    };
    const console: string[] = [];
    const path = join(dir, 'events.ndjson');
    const client = createLineageClient({
      transport: new CompositeTransport({
        transports: [
          new FileTransport({ path }),
          new ConsoleTransport({ write: (l) => console.push(l) }),
          new HttpTransport({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
        ],
      }),
      secrets: [secrets.clientWide],
    });
    const spec: LineageRunSpec = {
      jobName: 'sparkle.write.postgres.db.public.t',
      operation: 'write',
      connectionType: 'postgres',
      inputs: [],
      outputs: [{ namespace: 'postgres://db:5432', name: 'db.public.t', facets: { custom: { note: `loaded with ${secrets.runSecret}` } } }],
      metadata: {
        password: secrets.password,
        jdbcUrl: `jdbc:postgresql://loader:${encodeURIComponent(secrets.urlPassword)}@db:5432/db`,
        properties: { apiToken: secrets.token, fetchsize: '1000' },
        comment: `uses ${secrets.clientWide}`,
      },
      secrets: [secrets.runSecret, secrets.password],
    };
    const run = client.run(spec);
    await run.start();
    const error = new Error(`FATAL: password authentication failed (password=${secrets.password}) token ${secrets.token} ${secrets.runSecret}`);
    await run.fail(error, { rows: 0 });
    await client.close();

    const emitted = [await readFile(path, 'utf8'), console.join('\n'), ...bodies.map((b) => b.toString('utf8'))];
    expect(emitted.every((t) => t.length > 0)).toBe(true);
    expect(bodies).toHaveLength(2);
    for (const text of emitted) {
      for (const [name, value] of Object.entries(secrets)) {
        expect(text, name).not.toContain(value);
        expect(text, name).not.toContain(encodeURIComponent(value));
      }
    }
    const events = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    for (const e of events) expect(validateRunEvent(e)).toEqual([]);
    // Redacted, not removed: the shape stays useful.
    expect(events[1].run.facets.sparkle.metadata.properties).toEqual({ apiToken: '***', fetchsize: '1000' });
    expect(events[1].run.facets.errorMessage.message).toContain('password authentication failed');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  }
});
