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
  AddArtifactsRequestSchema,
  AnalyzePlanRequestSchema,
  ConfigRequestSchema,
  FetchErrorDetailsRequestSchema,
  ExecutePlanRequestSchema,
  InterruptRequestSchema,
  ReattachExecuteRequestSchema,
  ReleaseExecuteRequestSchema,
} from '../src/gen/spark/connect/base_pb.js';
import { PlanIds, rootPlan } from '../src/plan.js';
import { col, fn, lit } from '../src/column.js';
import { DataFrame } from '../src/dataframe.js';
import { localRelation } from '../src/local-relation.js';
import { Table, vectorFromArray, Int64, Utf8 } from 'apache-arrow';
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

  it('local_relation_inline: createDataFrame(rows) → Relation.local_relation=11 {data=1 (Arrow IPC), schema=2}', async () => {
    const spark = goldenSession();
    const df = await spark.createDataFrame([{ id: 1, name: 'Ada' }], { schema: 'id bigint, name string' });
    const raw = golden('local_relation_inline', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    expect(at(raw, '3.1.11.2')).toEqual([q('id bigint, name string')]);
    expect(at(raw, '3.1.11.1')).toHaveLength(1); // the IPC stream (opaque to decode_raw)
    expect(at(raw, '3.1.1.2')).toEqual(['0']);
  });

  it('cached_local_relation: chunks uploaded as artifacts, glued by set_op=6 {left=1, right=2, type=3 UNION(2), is_all=4, by_name=5}', async () => {
    const spark = goldenSession();
    const uploads: { name: string; bytes: Uint8Array }[] = [];
    const ids = Array.from({ length: 300 }, (_, i) => BigInt(i));
    const table = new Table({ id: vectorFromArray(ids, new Int64()), s: vectorFromArray(ids.map((i) => `row-${i}`), new Utf8()) });
    const rel = await localRelation(spark.planIds, new Table([table.slice(0, 150).batches[0]!, table.slice(150).batches[0]!]), async (name, bytes) => void uploads.push({ name, bytes }), { inlineBytes: 16, chunkBytes: 4000 });
    const raw = golden('cached_local_relation', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(rel)));
    expect(uploads).toHaveLength(2);
    expect(at(raw, '3.1.6.3')).toEqual(['2']);
    expect(at(raw, '3.1.6.4')).toEqual(['1']);
    expect(at(raw, '3.1.6.5')).toEqual(['0']);
    // cached_local_relation=36 {hash=3}: the hex SHA-256 the artifact is named after.
    expect(at(raw, '3.1.6.1.36.3')).toEqual([q(uploads[0]!.name.slice('cache/'.length))]);
    expect(at(raw, '3.1.6.2.36.3')).toEqual([q(uploads[1]!.name.slice('cache/'.length))]);
  });

  it('add_artifacts: AddArtifactsRequest batch=3 | begin_chunk=4 {name=1, total_bytes=2, num_chunks=3, initial_chunk=4 {data=1, crc=2}} | chunk=5', () => {
    const client = goldenSession().client;
    const bytes = new TextEncoder().encode('0123456789abcdefghij');
    const [single] = client.addArtifactsRequests('cache/feed', bytes);
    const one = golden('add_artifacts_batch', AddArtifactsRequestSchema, single!);
    expect(at(one, '3.1.1')).toEqual([q('cache/feed')]);
    expect(at(one, '3.1.2.1')).toEqual([q('0123456789abcdefghij')]);
    expect(at(one, '3.1.2.2')).toEqual(['1670122793']); // CRC-32 of the bytes (Python's zlib.crc32 agrees)
    expect(at(one, '6')).toEqual([q(CLIENT_TYPE)]);
    const [begin, chunk] = client.addArtifactsRequests('cache/feed', bytes, 12);
    const b = golden('add_artifacts_begin_chunk', AddArtifactsRequestSchema, begin!);
    expect(at(b, '4.1')).toEqual([q('cache/feed')]);
    expect(at(b, '4.2')).toEqual(['20']);
    expect(at(b, '4.3')).toEqual(['2']);
    expect(at(b, '4.4.1')).toEqual([q('0123456789ab')]);
    const c = golden('add_artifacts_chunk', AddArtifactsRequestSchema, chunk!);
    expect(at(c, '5.1')).toEqual([q('cdefghij')]);
    expect(at(c, '5.2')).toHaveLength(1);
  });

  it('sql_named_args: SQL.named_arguments=4 (map of Expression literals)', () => {
    const spark = goldenSession();
    const df = spark.sql('SELECT * FROM t WHERE a = :a AND d = :d', { a: 7, d: lit.date('2026-12-07') });
    const raw = golden('sql_named_args', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    expect(at(raw, '3.1.10.1')).toEqual([q('SELECT * FROM t WHERE a = :a AND d = :d')]);
    expect(at(raw, '3.1.10.4.1')).toEqual([q('a'), q('d')]);
    // literal=1 → integer=6 | date=16
    expect(at(raw, '3.1.10.4.2.1.6')).toEqual(['7']);
    expect(at(raw, '3.1.10.4.2.1.16')).toEqual(['20794']);
    expect(at(raw, '3.1.10.2')).toEqual([]); // the deprecated literal-only `args` is not used
  });

  it('sql_pos_args: SQL.pos_arguments=5', () => {
    const spark = goldenSession();
    const df = spark.sql('SELECT ?, ?, ?', [5n, true, lit.decimal('12.50')]);
    const raw = golden('sql_pos_args', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    expect(at(raw, '3.1.10.5.1.7')).toEqual(['5']); // long=7
    expect(at(raw, '3.1.10.5.1.3')).toEqual(['1']); // boolean=3
    expect(at(raw, '3.1.10.5.1.12.1')).toEqual([q('12.50')]); // decimal=12 {value=1, precision=2, scale=3}
    expect(at(raw, '3.1.10.5.1.12.2')).toEqual(['4']);
    expect(at(raw, '3.1.10.5.1.12.3')).toEqual(['2']);
    expect(at(raw, '3.1.10.3')).toEqual([]);
  });

  it('literals_cast_sort: Literal kinds, Cast.type_str=3, SortOrder {child=1, direction=2, null_ordering=3}', () => {
    const spark = goldenSession();
    const df = spark
      .range(1)
      .select(lit(null), lit(false), lit(2 ** 40), lit(0.5), lit('it\'s'), lit.timestamp(new Date(Date.UTC(2026, 11, 7))), lit(new Uint8Array([0xff, 0xfe])), col('id').cast('string').alias('s'))
      .orderBy(col('s').desc({ nulls: 'first' }));
    const raw = golden('literals_cast_sort', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    // sort=7 {input=1, order=2, is_global=3}
    expect(at(raw, '3.1.7.3')).toEqual(['1']);
    expect(at(raw, '3.1.7.2.2')).toEqual(['2']);
    expect(at(raw, '3.1.7.2.3')).toEqual(['1']);
    expect(at(raw, '3.1.7.2.1.2.1')).toEqual([q('s')]);
    const exprs = '3.1.7.1.3.3';
    expect(at(raw, `${exprs}.1.1.1`)).toEqual(['""']); // null=1 → DataType.null=1 (empty)
    expect(at(raw, `${exprs}.1.3`)).toEqual(['0']); // boolean=3
    expect(at(raw, `${exprs}.1.7`)).toEqual(['1099511627776']); // long=7
    expect(at(raw, `${exprs}.1.11`)).toEqual(['0x3fe0000000000000']); // double=11 (fixed64)
    expect(at(raw, `${exprs}.1.13`)).toEqual([q("it's")]); // string=13
    expect(at(raw, `${exprs}.1.17`)).toEqual([String(Date.UTC(2026, 11, 7) * 1000)]); // timestamp=17 (µs)
    expect(at(raw, `${exprs}.1.2`)).toHaveLength(1); // binary=2
    // alias=6 {expr=1 → cast=7 {expr=1, type_str=3}, name=2}
    expect(at(raw, `${exprs}.6.2`)).toEqual([q('s')]);
    expect(at(raw, `${exprs}.6.1.7.3`)).toEqual([q('string')]);
    // decode_raw parses ten levels deep; below that the attribute {unparsed_identifier=1 "id"} shows as bytes.
    expect(at(raw, `${exprs}.6.1.7.1.2`)).toEqual([q('\n\u0002id')]);
  });

  it('aggregate_offset: Aggregate=9 {input=1, group_type=2, grouping=3, aggregates=4}, UnresolvedFunction=3, Offset=13', () => {
    const spark = goldenSession();
    const df = spark.table('orders').groupBy('country').agg(fn.count('*').alias('n'), fn.countDistinct('customer'), fn.sum(col('amount').multiply(2))).offset(3);
    const raw = golden('aggregate_offset', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(df.relation)));
    expect(at(raw, '3.1.13.2')).toEqual(['3']);
    const agg = '3.1.13.1.9';
    expect(at(raw, `${agg}.2`)).toEqual(['1']);
    expect(at(raw, `${agg}.3.2.1`)).toEqual([q('country')]);
    expect(at(raw, `${agg}.4.6.1.3.1`)).toEqual([q('count')]); // alias(count(*))
    expect(at(raw, `${agg}.4.6.1.3.2.5`)).toEqual(['""']); // unresolved_star=5
    expect(at(raw, `${agg}.4.3.1`)).toEqual([q('count'), q('sum')]);
    expect(at(raw, `${agg}.4.3.3`)).toEqual(['1']); // is_distinct on countDistinct only
    expect(at(raw, `${agg}.4.3.2.3.1`)).toEqual([q('*')]); // sum(amount * 2)
  });

  it('join_alias: Join=5 {left=1, right=2, join_condition=3, join_type=4, using_columns=5}, SubqueryAlias=16 {input=1, alias=2}', () => {
    const spark = goldenSession();
    const o = spark.table('orders').alias('o');
    const c = spark.table('customers').alias('c');
    const on = golden('join_condition', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(o.join(c, col('o.cid').eq(col('c.id')), 'left_anti').relation)));
    expect(at(on, '3.1.5.4')).toEqual(['5']);
    expect(at(on, '3.1.5.1.16.2')).toEqual([q('o')]);
    expect(at(on, '3.1.5.2.16.2')).toEqual([q('c')]);
    expect(at(on, '3.1.5.3.3.1')).toEqual([q('==')]);
    expect(at(on, '3.1.5.3.3.2.2.1')).toEqual([q('o.cid'), q('c.id')]);
    const using = golden('join_using', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(o.join(c, ['cid', 'day'], 'full').relation)));
    expect(at(using, '3.1.5.4')).toEqual(['2']);
    expect(at(using, '3.1.5.5')).toEqual([q('cid'), q('day')]);
    expect(at(using, '3.1.5.3')).toEqual([]);
  });

  it('reshape: WithColumns=23 {input=1, aliases=2}, WithColumnsRenamed=19 {renames=3}, Drop=21, ToDF=18, Deduplicate=14', () => {
    const spark = goldenSession();
    const cols = spark.table('t').withColumn('two', lit(2)).withColumnRenamed('two', 'deux');
    const a = golden('reshape_columns', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(cols.relation)));
    expect(at(a, '3.1.19.3.1')).toEqual([q('two')]);
    expect(at(a, '3.1.19.3.2')).toEqual([q('deux')]);
    expect(at(a, '3.1.19.1.23.2.2')).toEqual([q('two')]);
    expect(at(a, '3.1.19.1.23.2.1.1.6')).toEqual(['2']);
    expect(at(a, '3.1.19.1.23.1.2.1.1')).toEqual([q('t')]);
    const shaped = spark.table('t').drop('id', col('v')).toDF('x').dropDuplicates(['x']);
    const b = golden('reshape_rows', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(shaped.relation)));
    expect(at(b, '3.1.14.2')).toEqual([q('x')]);
    expect(at(b, '3.1.14.1.18.2')).toEqual([q('x')]);
    expect(at(b, '3.1.14.1.18.1.21.3')).toEqual([q('id')]);
    expect(at(b, '3.1.14.1.18.1.21.2.2.1')).toEqual([q('v')]);
    const c = golden('distinct', ExecutePlanRequestSchema, spark.client.executeRequest(rootPlan(spark.table('t').distinct().relation)));
    expect(at(c, '3.1.14.3')).toEqual(['1']); // all_columns_as_keys
    expect(at(c, '3.1.14.2')).toEqual([]);
  });

  it('fetch_error_details: FetchErrorDetailsRequest error_id=3, client_type=4', () => {
    const raw = golden('fetch_error_details', FetchErrorDetailsRequestSchema, goldenSession().client.fetchErrorDetailsRequest('c0ffee00-0000-4000-8000-0000000000ee'));
    expect(at(raw, '3')).toEqual([q('c0ffee00-0000-4000-8000-0000000000ee')]);
    expect(at(raw, '4')).toEqual([q(CLIENT_TYPE)]);
  });
});
