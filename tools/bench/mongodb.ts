/**
 * MongoDB bench (issue 14): a read of N documents into Arrow through `@sparkle/connector-mongodb`
 * (`readTable` on the built dist, local engine) against the plain `mongodb` driver reading the same
 * documents into objects (`find().batchSize(…)` + `for await`), in the same run. The server is
 * FerretDB (tools/services/ensure-ferretdb.sh: the MongoDB wire protocol over SQLite), our MongoDB
 * peer here — its per-document cost dominates both sides, so the ratio says more than the rate.
 *
 * Documents: `_id` int, a string, a double, an int, a bool, a date, a list of strings and a nested
 * document (struct). They go into a collection of a unique name (plain driver `insertMany`, not
 * timed) and the collection is dropped at the end. Each side runs in its own child process, so
 * its peak RSS is its own.
 */
import { fileURLToPath } from 'node:url';
import { argOf, driver, rate, ratio, reportSide, runSide, uniqueName, type SideResult } from './nosql-common.js';

type Mongo = typeof import('mongodb');

export const MONGODB_URL = process.env.SPARKLE_TEST_MONGODB_URL ?? 'mongodb://sparkle:sparkle-test-pw@127.0.0.1:27017/?authSource=admin';
const DATABASE = 'sparkle_bench';
const PAGE = 5_000;

function makeDocument(i: number) {
  return {
    _id: i,
    name: `customer-${i}`,
    amount: i * 0.25,
    quantity: i % 1000,
    active: i % 3 === 0,
    created: new Date(1_700_000_000_000 + i * 1000),
    tags: ['a', `t${i % 7}`],
    address: { city: `city-${i % 100}`, zip: 10_000 + (i % 90_000) },
  };
}

async function side(name: string, collection: string, numPartitions: number): Promise<void> {
  const t0 = performance.now();
  let rows = 0;
  if (name === 'driver') {
    const { MongoClient } = await driver<Mongo>('connector-mongodb', 'mongodb');
    const client = await new MongoClient(MONGODB_URL).connect();
    const t1 = performance.now();
    for await (const doc of client.db(DATABASE).collection(collection).find({}).batchSize(PAGE)) if (doc) rows++;
    const seconds = (performance.now() - t1) / 1000;
    await client.close();
    return reportSide({ side: name, seconds, rows, coldSeconds: (performance.now() - t0) / 1000 });
  }
  const core = await import('@sparkle/core');
  await import('@sparkle/connector-mongodb');
  const { localEngine } = await import('@sparkle/engine-local');
  core.setLocalEngine(localEngine);
  const conn = await core.getConnection<import('@sparkle/connector-mongodb').MongodbConnection>('mongodb', { config: { uri: MONGODB_URL, database: DATABASE }, dotenv: false, variables: {} });
  await conn.listCollections(); // connects, as the driver side connects before its clock starts
  const t1 = performance.now();
  const frame = await conn.readTable<AsyncIterable<{ numRows: number }>>(collection, { fetchSize: PAGE, ...(numPartitions > 1 ? { numPartitions } : {}) });
  for await (const batch of frame) rows += batch.numRows;
  const seconds = (performance.now() - t1) / 1000;
  await conn.close();
  reportSide({ side: name, seconds, rows });
}

/** Loads the documents, runs both sides (best of `runs`), drops the collection, returns the lines. */
export async function benchMongo(options: { rows: number; runs?: number; partitions?: number }): Promise<{ lines: string[] }> {
  const { MongoClient } = await driver<Mongo>('connector-mongodb', 'mongodb');
  const client = await new MongoClient(MONGODB_URL, { serverSelectionTimeoutMS: 5000 }).connect();
  const collection = uniqueName('bench_read');
  const coll = client.db(DATABASE).collection<{ _id: number }>(collection);
  const runs = options.runs ?? 2;
  try {
    const tLoad = performance.now();
    for (let at = 0; at < options.rows; at += 10_000) {
      const docs = Array.from({ length: Math.min(10_000, options.rows - at) }, (_, k) => makeDocument(at + k));
      await coll.insertMany(docs, { ordered: false });
    }
    const loadSeconds = (performance.now() - tLoad) / 1000;
    const file = fileURLToPath(import.meta.url);
    const best = async (name: string, partitions = 1) => {
      let top: SideResult | undefined;
      for (let i = 0; i < runs; i++) {
        const r = await runSide(file, name, [`--collection=${collection}`, `--partitions=${partitions}`]);
        if (r.rows !== options.rows) throw new Error(`${name} read ${r.rows} of ${options.rows} documents`);
        if (!top || r.seconds < top.seconds) top = { ...r, maxRssMB: Math.max(r.maxRssMB, top?.maxRssMB ?? 0) };
      }
      return top!;
    };
    const plain = await best('driver');
    const sparkle = await best('sparkle');
    // `_id` ranges cost FerretDB a sort + skip per split point (slow there, not on mongod): opt-in.
    const sparkleN = options.partitions && options.partitions > 1 ? await best('sparkle', options.partitions) : undefined;
    return {
      lines: [
        `${options.rows.toLocaleString('en-US')} documents (8 fields: int _id, string, double, int, bool, date, list<string>, struct) in FerretDB — our MongoDB peer here, not mongod; loaded in ${loadSeconds.toFixed(1)} s; best of ${runs}; batch ${PAGE}`,
        `readTable → Arrow (1 partition)        ${rate(sparkle, 'docs')} = ${ratio(sparkle, plain)} the plain driver (target ≥ 1.0×)   peak RSS ${sparkle.maxRssMB.toFixed(0)} MB`,
        ...(sparkleN ? [`readTable → Arrow (${options.partitions} _id ranges)       ${rate(sparkleN, 'docs')} = ${ratio(sparkleN, plain)} the plain driver   peak RSS ${sparkleN.maxRssMB.toFixed(0)} MB`] : []),
        `plain driver find() → objects          ${rate(plain, 'docs')}   peak RSS ${plain.maxRssMB.toFixed(0)} MB`,
      ],
    };
  } finally {
    await coll.drop().catch(() => undefined);
    await client.close();
  }
}

const sideArg = argOf('side');
if (sideArg) await side(sideArg, argOf('collection')!, Number(argOf('partitions') ?? '1'));
