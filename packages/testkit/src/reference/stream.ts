/**
 * `MemoryStreamConnection`: the in-memory reference stream (type `memory_stream`), with Kafka's
 * model — topics of numbered partitions, per-partition offsets (`"0"`, `"1"`, …), consumer groups
 * whose committed offset moves only over acknowledged messages (a message acked after a gap is
 * remembered, and the commit catches up once the gap is acked). Clusters live in the process and
 * are shared by every connection naming the same cluster.
 *
 * One member per group at a time (no rebalancing): a second concurrent subscriber of a group is
 * refused, as a test asking for one would otherwise get duplicated deliveries.
 */
import { z } from 'zod';
import {
  InvalidArgumentError,
  payloadBytes,
  QueryError,
  StreamingConnection,
  type ConsumeRangeOptions,
  type DatasetRef,
  type PartitionPosition,
  type ProduceOptions,
  type ProduceResult,
  type ProducerRecord,
  type StreamDelivery,
  type StreamMessage,
  type StreamPosition,
  type SubscribeOptions,
} from '@sparkle/core';

/** Config of `memory_stream`. */
export const memoryStreamConfigSchema = z.looseObject({
  /** The cluster: connections naming the same cluster share its topics. */
  cluster: z.string().min(1),
  /** Partitions of a topic created by its first `produce`. */
  defaultPartitions: z.coerce.number().int().min(1).max(1000).default(3),
  /** Whether `produce` creates missing topics (Kafka's `auto.create.topics.enable`). */
  autoCreateTopics: z.boolean().default(true),
  /** A topic the health probe describes. */
  healthTopic: z.string().optional(),
});

export type MemoryStreamConfig = z.output<typeof memoryStreamConfigSchema>;

interface StoredMessage {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, Uint8Array>;
  timestamp: Date;
}

interface GroupState {
  /** Next offset to deliver after a restart, per partition (Kafka's committed offset). */
  committed: number[];
  /** Offsets acked beyond the committed one, per partition. */
  acked: Array<Set<number>>;
  active: boolean;
}

interface TopicState {
  partitions: StoredMessage[][];
  groups: Map<string, GroupState>;
  /** Wakes subscribers waiting for new messages. */
  waiters: Set<() => void>;
}

const CLUSTERS_KEY = Symbol.for('sparkle.testkit.memory-streams');

function clusters(): Map<string, Map<string, TopicState>> {
  const g = globalThis as Record<symbol, unknown>;
  g[CLUSTERS_KEY] ??= new Map();
  return g[CLUSTERS_KEY] as Map<string, Map<string, TopicState>>;
}

/** A stable partition for a key (FNV-1a), so equal keys land together as in Kafka. */
function partitionOfKey(key: Uint8Array, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % partitions;
}

/**
 * The in-memory stream.
 * @example
 * ```ts
 * import '@sparkle/testkit';
 * await using stream = await getConnection('memory_stream', { config: { cluster: 'c1' } });
 * await stream.produce('orders', [{ key: 'k1', value: '{"id":1}' }]);
 * for await (const m of stream.consumeRange('orders')) console.log(m.partition, m.position);
 * ```
 */
export class MemoryStreamConnection extends StreamingConnection<MemoryStreamConfig> {
  static override schema = memoryStreamConfigSchema;
  static override description = 'In-memory stream with Kafka semantics (testkit reference implementation)';

  /** Subscriptions of this connection waiting for messages, woken when it closes. */
  readonly #waiting = new Set<() => void>();

  constructor(init: ConstructorParameters<typeof StreamingConnection>[0]) {
    super(init);
    this.onClose(() => {
      for (const wake of [...this.#waiting]) wake();
    });
  }

  /** Names a topic (config `healthTopic`) for the health probe to describe. */
  protected override healthTopic(): string | undefined {
    return this.config.healthTopic;
  }

  /** Drops a cluster's topics (tests). */
  static reset(cluster: string): void {
    clusters().delete(cluster);
  }

  #topics(): Map<string, TopicState> {
    let c = clusters().get(this.config.cluster);
    if (!c) clusters().set(this.config.cluster, (c = new Map()));
    return c;
  }

  #topic(topic: string, create: boolean, partitions = this.config.defaultPartitions): TopicState {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
      throw new InvalidArgumentError(`Invalid topic name '${topic}': use letters, digits, '.', '_' and '-' (at most 249)`, { connector: this.type });
    }
    let state = this.#topics().get(topic);
    if (!state) {
      if (!create) throw new QueryError(`Topic '${topic}' does not exist in cluster '${this.config.cluster}'`, { connector: this.type, details: { notFound: true, topic } });
      state = { partitions: Array.from({ length: partitions }, () => []), groups: new Map(), waiters: new Set() };
      this.#topics().set(topic, state);
    }
    return state;
  }

  /** Creates a topic with a number of partitions (Kafka's admin `createTopics`); existing topics are left as they are. */
  async createTopic(topic: string, partitions = this.config.defaultPartitions): Promise<void> {
    this.assertOpen();
    this.#topic(topic, true, partitions);
  }

  protected override datasetForTopic(topic: string): DatasetRef {
    return { namespace: `memory-stream://${this.config.cluster}`, name: topic };
  }

  async produce(topic: string, records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, options: ProduceOptions = {}): Promise<ProduceResult> {
    this.assertOpen();
    const state = this.#topic(topic, this.config.autoCreateTopics);
    const batchSize = options.batchSize ?? 500;
    const positions: Record<string, PartitionPosition> = {};
    let messages = 0;
    let bytes = 0;
    let roundRobin = 0;
    // A batch becomes visible at once, as an acknowledged producer request does.
    let pending: Array<[number, StoredMessage]> = [];
    const flush = () => {
      for (const [p, m] of pending) {
        state.partitions[p]!.push(m);
        positions[String(p)] = String(state.partitions[p]!.length - 1);
      }
      messages += pending.length;
      pending = [];
      for (const wake of [...state.waiters]) wake();
      options.onProgress?.(messages, bytes);
    };
    for await (const record of records as AsyncIterable<ProducerRecord>) {
      options.signal?.throwIfAborted();
      const key = payloadBytes(record.key);
      let partition: number;
      if (record.partition !== undefined) {
        partition = Number(record.partition);
        if (!Number.isInteger(partition) || partition < 0 || partition >= state.partitions.length) {
          throw new InvalidArgumentError(`Topic '${topic}' has partitions 0-${state.partitions.length - 1}; record ${messages + pending.length} names partition '${record.partition}'`, {
            connector: this.type,
          });
        }
      } else partition = key ? partitionOfKey(key, state.partitions.length) : roundRobin++ % state.partitions.length;
      const value = payloadBytes(record.value);
      const headers: Record<string, Uint8Array> = {};
      for (const [k, v] of Object.entries(record.headers ?? {})) headers[k] = payloadBytes(v)!;
      bytes += (key?.byteLength ?? 0) + (value?.byteLength ?? 0);
      pending.push([partition, { key, value, headers, timestamp: record.timestamp ?? new Date() }]);
      if (pending.length >= batchSize) flush();
    }
    flush();
    return { messages, bytes, positions };
  }

  async describeTopic(topic: string): Promise<{ partitions: Array<{ id: string; earliest?: PartitionPosition; latest?: PartitionPosition }> }> {
    this.assertOpen();
    const state = this.#topic(topic, false);
    return { partitions: state.partitions.map((messages, i) => ({ id: String(i), earliest: '0', latest: String(messages.length) })) };
  }

  #resolve(position: StreamPosition, messages: StoredMessage[], partition: string, fallback: 'earliest' | 'latest'): number {
    if (position === 'earliest') return 0;
    if (position === 'latest') return messages.length;
    if ('timestamp' in position) {
      const at = messages.findIndex((m) => m.timestamp.getTime() >= position.timestamp.getTime());
      return at === -1 ? messages.length : at;
    }
    const given = position.positions[partition];
    if (given === undefined) return fallback === 'earliest' ? 0 : messages.length;
    if (!/^\d+$/.test(given)) throw new InvalidArgumentError(`Offset '${given}' of partition ${partition} is not a non-negative integer`, { connector: this.type });
    return Math.min(Number(given), messages.length);
  }

  async *consumeRange(topic: string, options: ConsumeRangeOptions = {}): AsyncGenerator<StreamMessage> {
    this.assertOpen();
    const state = this.#topic(topic, false);
    const ids = options.partitions ?? state.partitions.map((_, i) => String(i));
    // The end is fixed when the read starts (exclusive), so a bounded read ends even while producers write.
    const plan = ids.map((id) => {
      const messages = state.partitions[Number(id)];
      if (!messages) throw new InvalidArgumentError(`Topic '${topic}' has no partition '${id}'`, { connector: this.type });
      return { id, messages, from: this.#resolve(options.from ?? 'earliest', messages, id, 'earliest'), to: this.#resolve(options.to ?? 'latest', messages, id, 'latest') };
    });
    let count = 0;
    for (const p of plan) {
      for (let offset = p.from; offset < p.to; offset++) {
        options.signal?.throwIfAborted();
        if (options.maxMessages !== undefined && count >= options.maxMessages) return;
        count++;
        yield this.#message(topic, p.id, offset, p.messages[offset]!);
      }
    }
  }

  #message(topic: string, partition: string, offset: number, m: StoredMessage): StreamMessage {
    const headers: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(m.headers)) headers[k] = v.slice();
    return { topic, partition, position: String(offset), key: m.key?.slice() ?? null, value: m.value?.slice() ?? null, headers, timestamp: new Date(m.timestamp) };
  }

  protected async *openSubscription(topic: string, options: SubscribeOptions): AsyncGenerator<StreamDelivery> {
    this.assertOpen();
    const state = this.#topic(topic, this.config.autoCreateTopics);
    let group = state.groups.get(options.group);
    if (group?.active) {
      throw new InvalidArgumentError(`Group '${options.group}' already has a member on '${topic}'; the memory stream does not rebalance`, { connector: this.type });
    }
    if (!group) {
      const start = state.partitions.map((m) => (options.from === 'earliest' ? 0 : m.length));
      group = { committed: start, acked: state.partitions.map(() => new Set<number>()), active: false };
      state.groups.set(options.group, group);
    }
    const g = group;
    g.active = true;
    const next = [...g.committed];
    const redeliver: Array<[number, number]> = [];
    let unacked = 0;
    let wake: (() => void) | undefined;
    const signal = options.signal;
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    const waitForChange = () =>
      new Promise<void>((resolve) => {
        wake = () => {
          state.waiters.delete(wake!);
          this.#waiting.delete(wake!);
          resolve();
        };
        state.waiters.add(wake);
        this.#waiting.add(wake);
      });
    const ack = (p: number, offset: number) => {
      if (offset < g.committed[p]! || g.acked[p]!.has(offset)) return;
      g.acked[p]!.add(offset);
      while (g.acked[p]!.delete(g.committed[p]!)) g.committed[p]!++;
    };
    try {
      for (;;) {
        if (signal?.aborted || this.closed) return;
        if (options.maxUnacked !== undefined && unacked >= options.maxUnacked) {
          await waitForChange();
          continue;
        }
        let delivered = false;
        const take = redeliver.shift();
        const candidates: Array<[number, number]> = take ? [take] : [];
        if (!take) {
          for (let p = 0; p < state.partitions.length; p++) if (next[p]! < state.partitions[p]!.length) candidates.push([p, next[p]!++]);
        }
        for (const [p, offset] of candidates) {
          const message = this.#message(topic, String(p), offset, state.partitions[p]![offset]!);
          let settled = false;
          unacked++;
          const settle = () => {
            if (settled) return false;
            settled = true;
            unacked--;
            for (const w of [...state.waiters]) w();
            return true;
          };
          delivered = true;
          yield {
            ...message,
            ack: async () => {
              if (settle()) ack(p, offset);
            },
            nack: async () => {
              if (settle()) redeliver.push([p, offset]);
            },
          };
          if (signal?.aborted || this.closed) return;
        }
        if (!delivered) await waitForChange();
      }
    } finally {
      // Leaving the group: unacked messages stay uncommitted and go to the next member.
      signal?.removeEventListener('abort', onAbort);
      if (wake) {
        state.waiters.delete(wake);
        this.#waiting.delete(wake);
      }
      g.active = false;
    }
  }
}
