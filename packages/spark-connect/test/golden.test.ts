/**
 * Golden wire bytes: requests encoded now (fixed session/operation ids and client type) must equal
 * the committed files in test/golden/, named `<case>.<fully.qualified.Message>.bin`. Every golden
 * file is also decoded with `protoc --decode_raw`, which knows no schema, so the field numbers
 * are checked against the protocol facts independently of our generated code.
 *
 * Regenerate (and review the diff) with `scripts/update-golden.sh` (UPDATE_GOLDEN=1).
 */
import { describe, expect, it } from 'vitest';
import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AnalyzePlanRequestSchema,
  ConfigRequestSchema,
  ExecutePlanRequestSchema,
  InterruptRequestSchema,
  ReattachExecuteRequestSchema,
  ReleaseExecuteRequestSchema,
} from '../src/gen/spark/connect/base_pb.js';
import { rootPlan } from '../src/plan.js';
import { SparkSession } from '../src/session.js';
import { SparkConnectClient } from '../src/client.js';

const GOLDEN_DIR = join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const SESSION = 'c0ffee00-0000-4000-8000-000000000001';
const OPERATION = 'c0ffee00-0000-4000-8000-0000000000aa';
const CLIENT_TYPE = 'sparkle-golden';

/** A session that sends nothing: builders only (the channel is never used). */
function goldenSession(): SparkSession {
  return new SparkSession(
    new SparkConnectClient({ remote: 'sc://golden.invalid/;user_id=golden', sessionId: SESSION, clientType: CLIENT_TYPE, newId: () => OPERATION }),
  );
}

// ---------------------------------------------------------------------------------------------
// protoc --decode_raw, parsed into nested fields
// ---------------------------------------------------------------------------------------------

type RawNode = { field: number; value?: string; children?: RawNode[] };

function decodeRaw(bytes: Uint8Array): RawNode[] {
  let text: string;
  try {
    text = execFileSync('protoc', ['--decode_raw'], { input: bytes, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('protoc is not installed: run packages/spark-connect/scripts/ensure-protoc.sh');
    throw error;
  }
  const root: RawNode[] = [];
  const stack: RawNode[][] = [root];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    if (t === '}') {
      stack.pop();
      continue;
    }
    const open = /^(\d+) \{$/.exec(t);
    if (open) {
      const node: RawNode = { field: Number(open[1]), children: [] };
      stack.at(-1)!.push(node);
      stack.push(node.children!);
      continue;
    }
    const leaf = /^(\d+): (.*)$/.exec(t);
    if (!leaf) throw new Error(`unexpected decode_raw line: ${t}`);
    const value = leaf[2]!;
    stack.at(-1)!.push({ field: Number(leaf[1]), value: value.startsWith('"') ? JSON.stringify(unescapeC(value.slice(1, -1))) : value });
  }
  return root;
}

/** Undoes protoc's C-style string escaping (\\' \\" \\\\ \\n \\t \\NNN octal bytes). */
function unescapeC(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = text[++i]!;
    if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(text.slice(i))![0];
      bytes.push(parseInt(oct, 8));
      i += oct.length - 1;
    } else {
      bytes.push(({ n: 10, t: 9, r: 13 } as Record<string, number>)[n] ?? n.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Values (leaf text) at a dotted field path, e.g. `3.1.10.1`. */
function at(nodes: RawNode[], path: string): string[] {
  const [head, ...rest] = path.split('.').map(Number);
  const hits = nodes.filter((n) => n.field === head);
  if (rest.length === 0) return hits.map((n) => n.value ?? '{message}');
  return hits.flatMap((n) => (n.children ? at(n.children, rest.join('.')) : []));
}

const q = (s: string): string => JSON.stringify(s);

function golden<Desc extends DescMessage>(name: string, schema: Desc, message: MessageShape<Desc>): RawNode[] {
  const bytes = toBinary(schema, message);
  const file = join(GOLDEN_DIR, `${name}.${schema.typeName}.bin`);
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, bytes);
  }
  expect(existsSync(file), `${file} missing: run scripts/update-golden.sh`).toBe(true);
  expect(Buffer.from(bytes).equals(readFileSync(file)), `${name}: encoded bytes differ from the golden file`).toBe(true);
  const raw = decodeRaw(readFileSync(file));
  // Every request: session_id=1, user_context.user_id=2.1.
  expect(at(raw, '1')).toEqual([q(SESSION)]);
  expect(at(raw, '2.1')).toEqual([q('golden')]);
  return raw;
}

describe('golden wire bytes (cross-checked with protoc --decode_raw)', () => {
  it('sql_query: SQL → filter → select → limit', () => {
    const spark = goldenSession();
    const df = spark.sql('SELECT id, name FROM people').filter('id > 10').select('id').limit(5);
    const raw = golden('sql_query', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    // client_type=4, operation_id=6, request_options=5 → reattach_options=1 → reattachable=1
    expect(at(raw, '4')).toEqual([q(CLIENT_TYPE)]);
    expect(at(raw, '6')).toEqual([q(OPERATION)]);
    expect(at(raw, '5.1.1')).toEqual(['1']);
    // plan.root=3.1: limit=8 {input=1, limit=2}; project=3 {input=1, expressions=3}; filter=4 {input, condition=2}; sql=10 {query=1}
    expect(at(raw, '3.1.8.2')).toEqual(['5']);
    expect(at(raw, '3.1.8.1.3.3.2.1')).toEqual([q('id')]); // unresolved_attribute=2 → unparsed_identifier=1
    expect(at(raw, '3.1.8.1.3.1.4.2.4.1')).toEqual([q('id > 10')]); // expression_string=4 → expression=1
    expect(at(raw, '3.1.8.1.3.1.4.1.10.1')).toEqual([q('SELECT id, name FROM people')]);
    // common=1 → plan_id=2 on every node
    expect(at(raw, '3.1.1.2')).toEqual(['3']);
    expect(at(raw, '3.1.8.1.3.1.4.1.1.2')).toEqual(['0']);
  });

  it('jdbc_partitioned_read: Read.DataSource with partitioning options', () => {
    const spark = goldenSession();
    const df = spark.read.jdbc('jdbc:postgresql://db:5432/shop', 'public.orders', { partitionColumn: 'id', lowerBound: 1, upperBound: 1000, numPartitions: 4 }, { user: 'reader' });
    const raw = golden('jdbc_partitioned_read', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    // read=2 → data_source=2 → format=1, options=3 (map entries key=1 value=2)
    expect(at(raw, '3.1.2.2.1')).toEqual([q('jdbc')]);
    const keys = at(raw, '3.1.2.2.3.1');
    const values = at(raw, '3.1.2.2.3.2');
    expect(Object.fromEntries(keys.map((k, i) => [JSON.parse(k), JSON.parse(values[i]!)]))).toEqual({
      user: 'reader',
      url: 'jdbc:postgresql://db:5432/shop',
      dbtable: 'public.orders',
      partitionColumn: 'id',
      lowerBound: '1',
      upperBound: '1000',
      numPartitions: '4',
    });
    expect(at(raw, '3.1.2.3')).toEqual([]); // is_streaming=false is not sent
  });

  it('jdbc_predicates_read: one partition per predicate', () => {
    const spark = goldenSession();
    const df = spark.read.jdbc('jdbc:postgresql://db/shop', 'orders', ["region = 'EU'", "region = 'US'"]);
    const raw = golden('jdbc_predicates_read', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    expect(at(raw, '3.1.2.2.5')).toEqual([q("region = 'EU'"), q("region = 'US'")]);
  });

  it('streaming_kafka_read: is_streaming=3', () => {
    const spark = goldenSession();
    const df = spark.readStream.format('kafka').option('subscribe', 'events').load();
    const raw = golden('streaming_kafka_read', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    expect(at(raw, '3.1.2.3')).toEqual(['1']);
    expect(at(raw, '3.1.2.2.1')).toEqual([q('kafka')]);
  });

  it('write_overwrite_table: WriteOperation saveAsTable, overwrite, partitioned', () => {
    const spark = goldenSession();
    const plan = spark.range(10).write.format('parquet').mode('overwrite').partitionBy('day').option('compression', 'zstd').plan({ table: { name: 'db.events', method: 'saveAsTable' } });
    const raw = golden('write_overwrite_table', ExecutePlanRequestSchema, spark.client.executeRequest(plan));
    // plan.command=3.2 → write_operation=2: input=1 (range=15 end=2), source=2, table=4 {table_name=1, save_method=2}, mode=5, partitioning_columns=7, options=9
    expect(at(raw, '3.2.2.1.15.2')).toEqual(['10']);
    expect(at(raw, '3.2.2.2')).toEqual([q('parquet')]);
    expect(at(raw, '3.2.2.4.1')).toEqual([q('db.events')]);
    expect(at(raw, '3.2.2.4.2')).toEqual(['1']);
    expect(at(raw, '3.2.2.5')).toEqual(['2']);
    expect(at(raw, '3.2.2.7')).toEqual([q('day')]);
    expect(at(raw, '3.2.2.9.1')).toEqual([q('compression')]);
  });

  it('write_append_path: WriteOperation save(path), append', () => {
    const spark = goldenSession();
    const plan = spark.table('src').write.format('delta').mode('append').plan({ path: '/lake/t' });
    const raw = golden('write_append_path', ExecutePlanRequestSchema, spark.client.executeRequest(plan));
    expect(at(raw, '3.2.2.3')).toEqual([q('/lake/t')]);
    expect(at(raw, '3.2.2.5')).toEqual(['1']);
    expect(at(raw, '3.2.2.1.2.1.1')).toEqual([q('src')]); // read.named_table.unparsed_identifier
  });

  it('write_stream_kafka: WriteStreamOperationStart', () => {
    const spark = goldenSession();
    const plan = spark.readStream.format('kafka').option('subscribe', 'in').load().writeStream.format('kafka').option('topic', 'out').outputMode('append').queryName('copy').trigger({ availableNow: true }).plan();
    const raw = golden('write_stream_kafka', ExecutePlanRequestSchema, spark.client.executeRequest(plan));
    // command.write_stream_operation_start=6: format=2, options=3, available_now=6, output_mode=9, query_name=10
    expect(at(raw, '3.2.6.2')).toEqual([q('kafka')]);
    expect(at(raw, '3.2.6.6')).toEqual(['1']);
    expect(at(raw, '3.2.6.9')).toEqual([q('append')]);
    expect(at(raw, '3.2.6.10')).toEqual([q('copy')]);
    expect(at(raw, '3.2.6.1.2.3')).toEqual(['1']);
  });

  it('analyze_schema: AnalyzePlanRequest.schema=4 {plan=1}', () => {
    const spark = goldenSession();
    const raw = golden('analyze_schema', AnalyzePlanRequestSchema, spark.client.analyzeRequest({ case: 'schema', value: { plan: rootPlan(spark.range(3).relation) } }));
    expect(at(raw, '3')).toEqual([q(CLIENT_TYPE)]);
    expect(at(raw, '4.1.1.15.2')).toEqual(['3']);
  });

  it('analyze_version: AnalyzePlanRequest.spark_version=10', () => {
    const raw = golden('analyze_version', AnalyzePlanRequestSchema, goldenSession().client.analyzeRequest({ case: 'sparkVersion', value: {} }));
    expect(at(raw, '10')).toEqual(['""']); // an empty message
  });

  it('config_set: ConfigRequest.operation=3 {set=1 {pairs=1 {key=1 value=2}}}', () => {
    const raw = golden('config_set', ConfigRequestSchema, goldenSession().client.configRequest({ opType: { case: 'set', value: { pairs: [{ key: 'spark.sql.shuffle.partitions', value: '8' }] } } }));
    expect(at(raw, '3.1.1.1')).toEqual([q('spark.sql.shuffle.partitions')]);
    expect(at(raw, '3.1.1.2')).toEqual([q('8')]);
    expect(at(raw, '4')).toEqual([q(CLIENT_TYPE)]);
  });

  it('interrupt_tag: InterruptRequest type=4 TAG(2), operation_tag=5', () => {
    const raw = golden('interrupt_tag', InterruptRequestSchema, goldenSession().client.interruptRequest({ tag: 'nightly' }));
    expect(at(raw, '4')).toEqual(['2']);
    expect(at(raw, '5')).toEqual([q('nightly')]);
  });

  it('reattach: ReattachExecuteRequest operation_id=3, last_response_id=5', () => {
    const raw = golden('reattach', ReattachExecuteRequestSchema, goldenSession().client.reattachRequest(OPERATION, 'resp-7'));
    expect(at(raw, '3')).toEqual([q(OPERATION)]);
    expect(at(raw, '5')).toEqual([q('resp-7')]);
  });

  it('release_until and release_all: ReleaseExecuteRequest 6 {response_id=1} | 5 {}', () => {
    const until = golden('release_until', ReleaseExecuteRequestSchema, goldenSession().client.releaseRequest(OPERATION, 'resp-7'));
    expect(at(until, '6.1')).toEqual([q('resp-7')]);
    const all = golden('release_all', ReleaseExecuteRequestSchema, goldenSession().client.releaseRequest(OPERATION));
    expect(at(all, '5')).toEqual(['""']); // an empty message
  });
});
