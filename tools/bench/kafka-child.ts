/**
 * One Kafka bench measurement in its own process, so its peak RSS is its own. Prints one JSON
 * line: { ms, messages, bytes, maxRssMb }. Modes (argv: mode, brokers, topic, records, batch):
 * - `sparkle-produce`: `KafkaConnection.produce` of `records` 100-byte values, `batchSize` batch;
 * - `kafkajs-produce`: a plain kafkajs producer sending the same records in batches of `batch`,
 *   one request in flight, the same acks and compression (what the connector does underneath);
 * - `sparkle-consume`: `readTable(topic)` through the local engine into Arrow record batches
 *   (the bounded read `sparkle copy` uses), each batch counted and dropped;
 * - `kafkajs-consume`: a plain kafkajs consumer whose `eachBatch` only counts, until it has seen
 *   `records` messages.
 * Each side's time starts before its client connects and ends when the last message is acked /
 * seen: both pay one connect (and, consuming, one group join).
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RecordBatch } from 'apache-arrow';

const [mode, brokers, topic, recordsArg, batchArg] = process.argv.slice(2);
if (!mode || !brokers || !topic || !recordsArg) throw new Error('usage: kafka-child <mode> <brokers> <topic> <records> [batch]');
const records = Number(recordsArg);
const batchSize = Number(batchArg ?? 1000);
const VALUE_BYTES = 100;

// The compiled child lives in tools/bench/.build/; the repository root is three levels up.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** kafkajs as connector-kafka resolves it (tools/ does not depend on it directly). */
async function kafkajs(): Promise<typeof import('kafkajs')> {
  const require = createRequire(join(root, 'packages/connector-kafka/package.json'));
  return (await import(pathToFileURL(require.resolve('kafkajs')).href)) as typeof import('kafkajs');
}

/** The same 100-byte value every time (the broker stores it as it is: no compression). */
const value = Buffer.alloc(VALUE_BYTES, 'x');

function report(result: { ms: number; messages: number; bytes: number }): void {
  console.log(JSON.stringify({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

const quiet = () => () => undefined;

if (mode === 'sparkle-produce') {
  const { KafkaConnection } = await import('@sparkle/connector-kafka');
  const conn = new KafkaConnection({ type: 'kafka', config: { brokers: brokers.split(','), producer: { batchSize } } });
  function* source() {
    for (let i = 0; i < records; i++) yield { value };
  }
  const t0 = performance.now();
  const result = await conn.produce(topic, source());
  const ms = performance.now() - t0;
  await conn.close();
  report({ ms, messages: result.messages, bytes: result.bytes });
} else if (mode === 'kafkajs-produce') {
  const { Kafka, Partitioners, CompressionTypes } = await kafkajs();
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: brokers.split(','), logCreator: quiet });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const t0 = performance.now();
  await producer.connect();
  let sent = 0;
  while (sent < records) {
    const n = Math.min(batchSize, records - sent);
    const messages = new Array<{ value: Buffer }>(n);
    for (let i = 0; i < n; i++) messages[i] = { value };
    await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
    sent += n;
  }
  const ms = performance.now() - t0;
  await producer.disconnect();
  report({ ms, messages: sent, bytes: sent * VALUE_BYTES });
} else if (mode === 'sparkle-consume') {
  const { KafkaConnection } = await import('@sparkle/connector-kafka');
  const { localEngine } = await import('@sparkle/engine-local');
  const conn = new KafkaConnection({ type: 'kafka', config: { brokers: brokers.split(',') } });
  const t0 = performance.now();
  const frame = await localEngine.readTable(conn, topic, {});
  let messages = 0;
  let bytes = 0;
  for await (const batch of frame as AsyncIterable<RecordBatch>) {
    messages += batch.numRows;
    bytes += batch.getChild('value')?.data.reduce((n, d) => n + (d.values?.byteLength ?? 0), 0) ?? 0;
  }
  const ms = performance.now() - t0;
  await conn.close();
  report({ ms, messages, bytes });
} else if (mode === 'kafkajs-consume') {
  const { Kafka } = await kafkajs();
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: brokers.split(','), logCreator: quiet });
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${process.pid}-${Date.now()}` });
  const t0 = performance.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let messages = 0;
  let bytes = 0;
  await new Promise<void>((done, fail) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          messages += batch.messages.length;
          for (const m of batch.messages) bytes += m.value?.byteLength ?? 0;
          if (messages >= records) done();
        },
      })
      .catch(fail);
  });
  const ms = performance.now() - t0;
  await consumer.disconnect();
  report({ ms, messages, bytes });
} else {
  throw new Error(`unknown mode ${mode}`);
}
