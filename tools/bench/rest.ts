/**
 * REST bench: a paginated read of N records (cursor pages of 1000) from a local node:http server,
 * into Arrow through `@sparkle/connector-rest` (built dist), against a hand-written `fetch` loop
 * that only parses each page's JSON. Both see the same server, in the same process, alternately;
 * the best of a few runs of each is compared.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGE = 1000;

function pageBody(from: number, total: number): string {
  const records = [];
  for (let id = from + 1; id <= Math.min(from + PAGE, total); id++) {
    records.push({ id, name: `customer ${id}`, email: `c${id}@example.test`, score: id / 7, active: id % 3 === 0, country: ['CH', 'DE', 'FR', 'IT'][id % 4], created: '2026-01-02T03:04:05Z', visits: id % 97 });
  }
  return JSON.stringify({ data: records, next: from + PAGE < total ? String(from + PAGE) : null });
}

export async function benchRest(options: { records?: number; runs?: number } = {}): Promise<{ lines: string[] }> {
  const total = options.records ?? 200_000;
  const runs = options.runs ?? 3;
  // Pages are prepared up front so the server's cost is the same for both readers.
  const pages = new Map<number, Buffer>();
  for (let from = 0; from < total; from += PAGE) pages.set(from, Buffer.from(pageBody(from, total)));
  const server = createServer((req, res) => {
    const from = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') ?? 0);
    const body = pages.get(from) ?? Buffer.from('{"data":[],"next":null}');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const core = await import('@sparkle/core');
    await import('@sparkle/connector-rest');
    const { localEngine } = await import('@sparkle/engine-local');
    core.setLocalEngine(localEngine);
    const conn = await core.getConnection('rest', {
      config: { baseUrl: base, endpoints: { customers: { path: '/customers', recordSelector: '/data', pagination: { type: 'cursor', cursorPointer: '/next', cursorParam: 'cursor' } } } },
      dotenv: false,
      variables: {},
    });

    const fetchLoop = async () => {
      let n = 0;
      let cursor: string | null = '0';
      while (cursor !== null) {
        const res = await fetch(`${base}/customers?cursor=${cursor}`, { headers: { accept: 'application/json' } });
        const body = (await res.json()) as { data: unknown[]; next: string | null };
        n += body.data.length;
        cursor = body.next;
      }
      return n;
    };
    const sparkle = async () => {
      let n = 0;
      for await (const batch of (await conn.readTable('customers')) as AsyncIterable<{ numRows: number }>) n += batch.numRows;
      return n;
    };
    const time = async (fn: () => Promise<number>) => {
      const t0 = performance.now();
      const n = await fn();
      if (n !== total) throw new Error(`read ${n} of ${total} records`);
      return performance.now() - t0;
    };
    await time(fetchLoop);
    await time(sparkle); // warm-up of both
    let best = { fetch: Infinity, sparkle: Infinity };
    for (let i = 0; i < runs; i++) {
      best = { fetch: Math.min(best.fetch, await time(fetchLoop)), sparkle: Math.min(best.sparkle, await time(sparkle)) };
    }
    await conn.close();
    const rate = (ms: number) => `${Math.round(total / (ms / 1000)).toLocaleString('en-US')} records/s`;
    const ratio = best.fetch / best.sparkle;
    return {
      lines: [
        `${total.toLocaleString('en-US')} records, ${total / PAGE} cursor pages, 8 fields; best of ${runs}`,
        `fetch loop (JSON.parse only): ${best.fetch.toFixed(0)} ms (${rate(best.fetch)})`,
        `rest readTable → Arrow:       ${best.sparkle.toFixed(0)} ms (${rate(best.sparkle)})`,
        `ratio ${ratio.toFixed(2)}× the fetch loop (target ≥ 0.90×)${ratio >= 0.9 ? '' : ' — BELOW TARGET'}`,
      ],
    };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines } = await benchRest({ records: Number(process.argv[2] ?? 200_000) });
  for (const line of lines) console.log(line);
}
