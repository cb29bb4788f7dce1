/**
 * `AmqpBrokerFake`: an in-process AMQP 1.0 peer (on `rhea`) that the real Azure Event Hubs and
 * Service Bus SDKs talk to, for tests. With `UseDevelopmentEmulator=true` in the connection
 * string the SDKs speak plain AMQP (no TLS) to the endpoint's host and port; this fake answers
 * what they ask:
 *
 * - `$cbs` put-token: checks the SAS token's signature against the key of the connection string
 *   (a wrong key gets 401, as from the service);
 * - `$management` READ of an event hub (`partition_ids`) and of a partition (begin/last sequence
 *   numbers, last offset and time, emptiness);
 * - event hub senders (`hub`, `hub/Partitions/<id>`), batched or single messages, stored per
 *   partition with sequence number, offset and enqueued time annotations;
 * - event hub receivers (`hub/ConsumerGroups/<group>/Partitions/<id>`) with the selector filter
 *   the SDK sends (`amqp.annotation.x-opt-sequence-number > '5'`, offsets, enqueued time),
 *   delivered as credit allows, including messages that arrive later;
 * - Service Bus queues: senders to `<queue>`, peek-lock receivers (settled by the client's
 *   disposition: accepted completes, released/modified abandons, rejected dead-letters),
 *   receive-and-delete receivers,
 *   and the queue's `$management` for `renew-lock` and `peek-message`.
 *
 * Entities must exist (`createEventHub`, `createQueue`); an unknown one is `amqp:not-found`.
 * It is a test double of the wire protocol, not a broker: one process, memory only.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import rhea from 'rhea';

type RheaMessage = Record<string, unknown> & {
  body?: unknown;
  message_annotations?: Record<string, unknown>;
  application_properties?: Record<string, unknown>;
  message_id?: unknown;
  reply_to?: string;
};

interface StoredEvent {
  sequenceNumber: number;
  offset: number;
  enqueuedTime: Date;
  message: RheaMessage;
}

interface Hub {
  partitions: StoredEvent[][];
  createdAt: Date;
  nextPartition: number;
}

interface QueueMessage {
  sequenceNumber: number;
  enqueuedTime: Date;
  message: RheaMessage;
  deliveryCount: number;
  /** Lock token while a peek-lock receiver holds it. */
  lockToken?: string;
  lockedUntil?: number;
}

interface Queue {
  messages: QueueMessage[];
  /** Messages the client rejected (Service Bus dead-lettering). */
  deadLetters: QueueMessage[];
  nextSequence: number;
}

interface Link {
  sendable(): boolean;
  send(message: unknown, tag?: unknown, format?: number): Delivery;
  close(error?: unknown): void;
  source?: { address?: string; filter?: Record<string, unknown> };
  target?: { address?: string };
  snd_settle_mode?: number;
  is_open?(): boolean;
  is_closed?(): boolean;
}
interface Delivery {
  tag?: Buffer;
  format?: number;
  accept?(): void;
  reject?(error: unknown): void;
}

/** What a server-side sender (a client's receiver) reads. */
interface Reader {
  link: Link;
  kind: 'partition' | 'queue';
  hub?: string;
  partition?: number;
  next?: number;
  queue?: string;
  peekLock?: boolean;
}

const BATCH_FORMAT = 0x80013700;
const LOCK_MS = 60_000;

/** The numbers of a selector filter the Event Hubs SDK sends. */
function startOf(filter: string | undefined, events: StoredEvent[]): number {
  if (!filter) return 0;
  const match = /amqp\.annotation\.x-opt-(sequence-number|offset|enqueued-time)\s*(>=|>)\s*'([^']*)'/.exec(filter);
  if (!match) return 0;
  const [, field, op, raw] = match;
  if (raw === '@latest') return events.length;
  const value = Number(raw);
  const inclusive = op === '>=';
  const keyOf = (e: StoredEvent) => (field === 'sequence-number' ? e.sequenceNumber : field === 'offset' ? e.offset : e.enqueuedTime.getTime());
  const index = events.findIndex((e) => (inclusive ? keyOf(e) >= value : keyOf(e) > value));
  return index === -1 ? events.length : index;
}

/** A stable partition for a partition key. */
function partitionOfKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % partitions;
}

/**
 * The fake broker.
 * @example
 * ```ts
 * const broker = await AmqpBrokerFake.start();
 * broker.createEventHub('orders', 3);
 * const client = new EventHubProducerClient(broker.connectionString('orders'));
 * // … the real SDK sends, receives, reads properties …
 * await broker.close();
 * ```
 */
export class AmqpBrokerFake {
  readonly key = randomBytes(24).toString('base64');
  readonly keyName = 'RootManageSharedAccessKey';
  readonly hubs = new Map<string, Hub>();
  readonly queues = new Map<string, Queue>();
  /** Put-token requests answered, by outcome (tests check that the SDK authenticated). */
  readonly tokens = { accepted: 0, rejected: 0 };
  /** Errors the fake itself hit while handling a message (a test double's bug, surfaced to tests). */
  readonly errors: Error[] = [];
  readonly #readers = new Set<Reader>();
  #server: { close(cb?: () => void): void; address(): AddressInfo | string | null } | undefined;
  readonly #container = rhea.create_container({ id: 'sparkle-amqp-fake' });
  readonly #connections = new Set<{ close(): void }>();

  private constructor() {}

  /** Starts listening on 127.0.0.1 (a free port unless given). */
  static async start(port = 0): Promise<AmqpBrokerFake> {
    const fake = new AmqpBrokerFake();
    await fake.#listen(port);
    return fake;
  }

  get port(): number {
    return (this.#server!.address() as AddressInfo).port;
  }

  /** A connection string for the SDKs, with `EntityPath` when given; `key` overrides the key (wrong-credential tests). */
  connectionString(entity?: string, key = this.key): string {
    return `Endpoint=sb://127.0.0.1:${this.port}/;SharedAccessKeyName=${this.keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true${entity ? `;EntityPath=${entity}` : ''}`;
  }

  createEventHub(name: string, partitions = 2): void {
    if (!this.hubs.has(name)) this.hubs.set(name, { partitions: Array.from({ length: partitions }, () => []), createdAt: new Date(), nextPartition: 0 });
  }

  createQueue(name: string): void {
    if (!this.queues.has(name)) this.queues.set(name, { messages: [], deadLetters: [], nextSequence: 1 });
  }

  async close(): Promise<void> {
    for (const c of this.#connections) {
      try {
        c.close();
      } catch {
        // already gone
      }
    }
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  // -------------------------------------------------------------------------------------------

  async #listen(port: number): Promise<void> {
    const c = this.#container as unknown as {
      on(event: string, handler: (context: Record<string, any>) => void): void;
      listen(options: Record<string, unknown>): { close(cb?: () => void): void; address(): AddressInfo | string | null; once(e: string, cb: (...a: unknown[]) => void): void };
    };
    c.on('connection_open', (ctx) => this.#connections.add(ctx.connection));
    c.on('connection_close', (ctx) => this.#connections.delete(ctx.connection));
    c.on('disconnected', (ctx) => this.#connections.delete(ctx.connection));
    c.on('sender_open', (ctx) => this.#onReaderOpen(ctx));
    c.on('sendable', () => this.#pump());
    // A client draining its credit (Service Bus receiveMessages after its wait): send what is
    // there, then report the rest of the credit used up.
    c.on('sender_draining', (ctx) => {
      this.#pump();
      (ctx.sender as { set_drained(drained: boolean): void }).set_drained(true);
    });
    c.on('sender_close', (ctx) => this.#dropReader(ctx.sender));
    c.on('receiver_open', (ctx) => this.#onWriterOpen(ctx));
    c.on('message', (ctx) => {
      try {
        this.#onMessage(ctx);
      } catch (error) {
        // A fake that throws would leave the client waiting: say why and reject the delivery.
        this.errors.push(error as Error);
        (ctx.delivery as Delivery).reject?.({ condition: 'amqp:internal-error', description: String(error) });
      }
    });
    c.on('accepted', (ctx) => this.#settle(ctx, 'complete'));
    c.on('released', (ctx) => this.#settle(ctx, 'abandon'));
    c.on('modified', (ctx) => this.#settle(ctx, 'abandon'));
    c.on('rejected', (ctx) => this.#settle(ctx, 'deadLetter'));
    c.on('error', () => undefined);
    const server = c.listen({ host: '127.0.0.1', port });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', (e) => reject(e as Error));
    });
  }

  #notFound(link: Link, what: string): void {
    link.close({ condition: 'amqp:not-found', description: `The messaging entity '${what}' could not be found.` });
  }

  /** A client's receiver attached: management/cbs reply links, hub partitions, queues. */
  #onReaderOpen(ctx: Record<string, any>): void {
    const link = ctx.sender as Link;
    const address = link.source?.address ?? '';
    if (address === '$cbs' || address.endsWith('$management')) return; // reply links
    const partition = /^([^/]+)\/ConsumerGroups\/[^/]+\/Partitions\/([^/]+)$/i.exec(address);
    if (partition) {
      const hub = this.hubs.get(partition[1]!);
      const events = hub?.partitions[Number(partition[2])];
      if (!hub || !events) return this.#notFound(link, address);
      const described = link.source?.filter?.['apache.org:selector-filter:string'] as { value?: unknown } | string | undefined;
      const filter = typeof described === 'string' ? described : (described?.value as string | undefined);
      this.#readers.add({ link, kind: 'partition', hub: partition[1]!, partition: Number(partition[2]), next: startOf(filter, events) });
      this.#pump();
      return;
    }
    const queue = this.queues.get(address);
    if (!queue) return this.#notFound(link, address);
    // rcv-settle-mode second / snd-settle-mode unsettled: peek-lock; settled sends: receive-and-delete.
    this.#readers.add({ link, kind: 'queue', queue: address, peekLock: link.snd_settle_mode !== 1 });
    this.#pump();
  }

  #dropReader(link: Link): void {
    for (const r of this.#readers) if (r.link === link) this.#readers.delete(r);
  }

  /** A client's sender attached: to cbs/management, a hub (or one of its partitions), a queue. */
  #onWriterOpen(ctx: Record<string, any>): void {
    const link = ctx.receiver as Link;
    // The SDKs size their batches by the max message size the attach reports (1 MiB, as Standard tier).
    (link as unknown as { local: { attach: { max_message_size?: number } } }).local.attach.max_message_size = 1024 * 1024;
    const address = link.target?.address ?? '';
    if (address === '$cbs' || address.endsWith('$management')) return;
    const [entity, , partition] = address.split('/');
    if (this.hubs.has(entity!)) {
      if (partition !== undefined && !this.hubs.get(entity!)!.partitions[Number(partition)]) return this.#notFound(link, address);
      return;
    }
    if (this.queues.has(address)) return;
    this.#notFound(link, address);
  }

  #reply(ctx: Record<string, any>, request: RheaMessage, status: number, description: string, body?: unknown): void {
    const node = (ctx.receiver as Link).target?.address ?? '';
    const connection = ctx.connection as { find_sender(filter: (s: Link) => boolean): Link | undefined };
    const sender =
      connection.find_sender((s) => s.source?.address === node && s.target?.address === request.reply_to) ?? connection.find_sender((s) => s.source?.address === node);
    sender?.send({
      correlation_id: request.message_id,
      to: request.reply_to,
      application_properties: { 'status-code': status, statusCode: status, 'status-description': description, statusDescription: description },
      ...(body !== undefined ? { body } : {}),
    });
  }

  #checkToken(token: string, audience: string): boolean {
    const fields = Object.fromEntries(
      token
        .replace(/^SharedAccessSignature\s+/, '')
        .split('&')
        .map((kv) => kv.split('=').map((p) => decodeURIComponent(p)) as [string, string]),
    );
    if (!fields.sr || !fields.sig || !fields.se) return false;
    const expected = createHmac('sha256', this.key).update(`${encodeURIComponent(fields.sr)}\n${fields.se}`).digest('base64');
    return expected === fields.sig && fields.skn === this.keyName && Boolean(audience);
  }

  #onMessage(ctx: Record<string, any>): void {
    const message = (Buffer.isBuffer(ctx.message) ? codec.decode(ctx.message as Buffer) : ctx.message) as RheaMessage;
    const address = (ctx.receiver as Link).target?.address ?? '';
    const props = (message.application_properties ?? {}) as Record<string, unknown>;
    if (address === '$cbs') {
      const ok = this.#checkToken(String(message.body ?? ''), String(props.name ?? ''));
      if (ok) this.tokens.accepted++;
      else this.tokens.rejected++;
      return this.#reply(ctx, message, ok ? 200 : 401, ok ? 'OK' : 'InvalidSignature: The token has an invalid signature.');
    }
    if (address.endsWith('$management')) return this.#management(ctx, message, address);
    const [entity, , partition] = address.split('/');
    const hub = this.hubs.get(entity!);
    if (hub) {
      const inner = unbatch(ctx);
      const outer = unbatch({ ...ctx, delivery: { format: 0 } })[0]!;
      const key = (inner[0]?.message_annotations?.['x-opt-partition-key'] ?? outer.message_annotations?.['x-opt-partition-key']) as string | undefined;
      const target = partition !== undefined ? Number(partition) : key !== undefined ? partitionOfKey(key, hub.partitions.length) : hub.nextPartition++ % hub.partitions.length;
      const events = hub.partitions[target]!;
      for (const m of inner) {
        const last = events.at(-1);
        const sequenceNumber = last ? last.sequenceNumber + 1 : 0;
        const offset = last ? last.offset + 100 : 0;
        events.push({ sequenceNumber, offset, enqueuedTime: new Date(), message: m });
      }
      this.#pump();
      return;
    }
    const queue = this.queues.get(address);
    if (queue) {
      const inner = unbatch(ctx);
      for (const m of inner) queue.messages.push({ sequenceNumber: queue.nextSequence++, enqueuedTime: new Date(), message: m, deliveryCount: 0 });
      this.#pump();
    }
  }

  #management(ctx: Record<string, any>, message: RheaMessage, address: string): void {
    const props = (message.application_properties ?? {}) as Record<string, unknown>;
    const operation = String(props.operation ?? '');
    if (operation === 'READ') {
      const hub = this.hubs.get(String(props.name));
      if (!hub) return this.#reply(ctx, message, 404, `The messaging entity '${String(props.name)}' could not be found.`);
      if (props.type === 'com.microsoft:eventhub') {
        return this.#reply(ctx, message, 200, 'OK', { name: props.name, created_at: hub.createdAt, partition_ids: hub.partitions.map((_, i) => String(i)), georeplication_factor: 0 });
      }
      const events = hub.partitions[Number(props.partition)];
      if (!events) return this.#reply(ctx, message, 404, `Partition '${String(props.partition)}' of '${String(props.name)}' could not be found.`);
      const last = events.at(-1);
      return this.#reply(ctx, message, 200, 'OK', {
        name: props.name,
        partition: String(props.partition),
        begin_sequence_number: events[0]?.sequenceNumber ?? 0,
        last_enqueued_sequence_number: last?.sequenceNumber ?? -1,
        last_enqueued_offset: String(last?.offset ?? -1),
        last_enqueued_time_utc: last?.enqueuedTime ?? new Date(0),
        is_partition_empty: events.length === 0,
      });
    }
    // Service Bus entity management: <queue>/$management.
    const entity = address.replace(/\/\$management$/, '');
    const queue = this.queues.get(entity);
    if (!queue) return this.#reply(ctx, message, 404, `The messaging entity '${entity}' could not be found.`);
    const body = (message.body ?? {}) as Record<string, unknown>;
    if (operation === 'com.microsoft:renew-lock') {
      const tokens = (body['lock-tokens'] as Array<Buffer | string>) ?? [];
      const until = new Date(Date.now() + LOCK_MS);
      for (const t of tokens) {
        const id = Buffer.isBuffer(t) ? uuidOf(t) : String(t);
        const held = queue.messages.find((m) => m.lockToken === id);
        if (held) held.lockedUntil = until.getTime();
      }
      return this.#reply(ctx, message, 200, 'OK', { expirations: tokens.map(() => until) });
    }
    if (operation === 'com.microsoft:peek-message') {
      const from = Number(body['from-sequence-number'] ?? 0);
      const count = Number(body['message-count'] ?? 1);
      const found = queue.messages.filter((m) => m.sequenceNumber >= from).slice(0, count);
      if (!found.length) return this.#reply(ctx, message, 204, 'No messages');
      return this.#reply(ctx, message, 200, 'OK', {
        messages: found.map((m) => ({ message: codec.encode(this.#queueWire(m, false)) })),
      });
    }
    return this.#reply(ctx, message, 501, `Operation '${operation}' is not supported by the fake.`);
  }

  #queueWire(m: QueueMessage, locked: boolean): RheaMessage {
    return {
      ...m.message,
      message_annotations: {
        ...(m.message.message_annotations ?? {}),
        'x-opt-sequence-number': rhea.types.wrap_long(m.sequenceNumber),
        'x-opt-enqueued-time': m.enqueuedTime,
        ...(locked && m.lockedUntil ? { 'x-opt-locked-until': new Date(m.lockedUntil) } : {}),
      },
      delivery_count: m.deliveryCount,
    };
  }

  /** Sends what readers may take now (credit, stored messages, unlocked queue messages). */
  #pump(): void {
    const now = Date.now();
    for (const reader of this.#readers) {
      if (reader.link.is_closed?.()) {
        this.#readers.delete(reader);
        continue;
      }
      if (reader.kind === 'partition') {
        const events = this.hubs.get(reader.hub!)!.partitions[reader.partition!]!;
        while (reader.next! < events.length && reader.link.sendable()) {
          const e = events[reader.next!++]!;
          reader.link.send({
            ...e.message,
            message_annotations: {
              ...(e.message.message_annotations ?? {}),
              'x-opt-sequence-number': rhea.types.wrap_long(e.sequenceNumber),
              'x-opt-offset': String(e.offset),
              'x-opt-enqueued-time': e.enqueuedTime,
            },
          });
        }
        continue;
      }
      const queue = this.queues.get(reader.queue!)!;
      for (const m of queue.messages) {
        if (!reader.link.sendable()) break;
        if (m.lockToken && (m.lockedUntil ?? 0) > now) continue;
        m.deliveryCount++;
        if (reader.peekLock) {
          const token = randomUUID();
          m.lockToken = token;
          m.lockedUntil = now + LOCK_MS;
          reader.link.send(this.#queueWire(m, true), tagOf(token));
        } else {
          queue.messages.splice(queue.messages.indexOf(m), 1);
          reader.link.send(this.#queueWire(m, false));
        }
      }
    }
  }

  /** A peek-lock disposition: accepted completes (removes), anything else abandons (unlocks). */
  #settle(ctx: Record<string, any>, outcome: 'complete' | 'abandon' | 'deadLetter'): void {
    // Peek-lock receivers settle second: they wait for the broker to settle their disposition.
    const d = ctx.delivery as { remote_settled?: boolean; remote_state?: unknown; update(settled: boolean, state?: unknown): void; tag?: Buffer };
    // Echo the outcome as a described state (rhea compares consecutive dispositions' states).
    const outcomes = (rhea as unknown as { message: Record<'accepted' | 'released' | 'rejected', () => { described(): unknown }> }).message;
    if (!d.remote_settled) d.update(true, (outcome === 'complete' ? outcomes.accepted() : outcome === 'deadLetter' ? outcomes.rejected() : outcomes.released()).described());
    const tag = d.tag;
    if (!tag) return;
    const token = uuidOf(tag);
    for (const queue of this.queues.values()) {
      const i = queue.messages.findIndex((m) => m.lockToken === token);
      if (i === -1) continue;
      if (outcome === 'complete') queue.messages.splice(i, 1);
      else if (outcome === 'deadLetter') queue.deadLetters.push(...queue.messages.splice(i, 1));
      else {
        queue.messages[i]!.lockToken = undefined;
        queue.messages[i]!.lockedUntil = undefined;
      }
      this.#pump();
      return;
    }
  }
}

const codec = (rhea as unknown as { message: { decode(b: Buffer): RheaMessage; encode(m: unknown): Buffer } }).message;

/**
 * The messages of a transfer: a batch (message format 0x80013700, which rhea hands over as raw
 * bytes) is an outer message whose data sections are each an encoded message.
 */
function unbatch(ctx: Record<string, any>): RheaMessage[] {
  const delivery = ctx.delivery as Delivery;
  const raw = ctx.message as RheaMessage | Buffer;
  if (delivery.format !== BATCH_FORMAT) return [Buffer.isBuffer(raw) ? codec.decode(raw) : raw];
  const outer = Buffer.isBuffer(raw) ? codec.decode(raw) : raw;
  const body = outer.body as { content: Buffer | Buffer[]; multiple?: boolean };
  const parts = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  return parts.map((b) => codec.decode(b));
}

/** A lock token as the 16-byte delivery tag the Service Bus SDK reads back as a GUID (.NET byte order). */
function tagOf(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  // .NET Guid layout: the first three groups little-endian.
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

function uuidOf(tag: Buffer): string {
  const b = Buffer.concat([Buffer.from(tag.subarray(0, 4)).reverse(), Buffer.from(tag.subarray(4, 6)).reverse(), Buffer.from(tag.subarray(6, 8)).reverse(), tag.subarray(8, 16)]);
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
