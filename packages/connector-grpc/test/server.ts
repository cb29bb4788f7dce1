/**
 * A real grpc-js server for the tests, on 127.0.0.1 and an ephemeral port, implementing the
 * Inventory service of fixtures/inventory.proto. Every call checks the `authorization` metadata
 * against TOKEN; `category: 'boom'` answers FAILED_PRECONDITION, `'busy'` UNAVAILABLE.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

export const PROTO = fileURLToPath(new URL('./fixtures/inventory.proto', import.meta.url));
export const TOKEN = 'grpc-Test-Token-9f3c1a77';

export interface Item {
  id: string;
  name: string;
  price: number;
  active: boolean;
  tags: string[];
  size: { width: number; height: number } | null;
  kind: string;
  blob: Buffer;
  count: number;
  weight: number;
  parts: Array<{ width: number; height: number }>;
}

export interface GrpcTestServer {
  address: string;
  items: Item[];
  /** Records received by AddItem / AddItems / UploadItems, in order. */
  received: Array<Record<string, unknown>>;
  /** Calls per method. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

export function sampleItems(n: number): Item[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(9_007_199_254_740_993n + BigInt(i)),
    name: `item-${i}`,
    price: i + 0.5,
    active: i % 2 === 0,
    tags: i % 3 === 0 ? [] : [`t${i}`, 'x'],
    size: i === 1 ? null : { width: i, height: i * 2 },
    kind: i % 2 ? 'PART' : 'TOOL',
    blob: Buffer.from([i, 255]),
    count: 4_000_000_000 + i,
    weight: 0.25,
    parts: [{ width: 1, height: 2 }],
  }));
}

/** Server TLS: its key and certificate chain, and the CA that client certificates must chain to (mutual TLS). */
export interface ServerTls {
  key: Buffer;
  cert: Buffer;
  clientCa: Buffer;
}

export async function startGrpcServer(items = sampleItems(5), tls?: ServerTls): Promise<GrpcTestServer> {
  const definition = loader.loadSync(PROTO, { keepCase: true, longs: String, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { sparkle: { test: { Inventory: { service: grpc.ServiceDefinition } } } };
  const state = { items, received: [] as Array<Record<string, unknown>>, calls: new Map<string, number>() };
  const authorized = (call: { metadata: grpc.Metadata }, name: string): grpc.ServiceError | null => {
    state.calls.set(name, (state.calls.get(name) ?? 0) + 1);
    if (call.metadata.get('authorization')[0] === `Bearer ${TOKEN}`) return null;
    return Object.assign(new Error('bad token'), { code: grpc.status.UNAUTHENTICATED, details: 'the authorization metadata is missing or wrong', metadata: new grpc.Metadata() });
  };
  const failure = (category: string): grpc.ServiceError | null => {
    if (category === 'boom') return Object.assign(new Error('boom'), { code: grpc.status.FAILED_PRECONDITION, details: 'category boom is closed', metadata: new grpc.Metadata() });
    if (category === 'busy') return Object.assign(new Error('busy'), { code: grpc.status.UNAVAILABLE, details: 'try again later', metadata: new grpc.Metadata() });
    return null;
  };
  const select = (req: { category: string; limit: number }) => state.items.slice(0, req.limit || state.items.length);
  const server = new grpc.Server();
  server.addService(pkg.sparkle.test.Inventory.service, {
    ListItems(call: grpc.ServerUnaryCall<{ category: string; limit: number }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const err = authorized(call, 'ListItems') ?? failure(call.request.category);
      if (err) return cb(err);
      cb(null, { items: select(call.request), next: '' });
    },
    StreamItems(call: grpc.ServerWritableStream<{ category: string; limit: number }, unknown>) {
      const err = authorized(call, 'StreamItems') ?? failure(call.request.category);
      if (err) return call.emit('error', err);
      for (const item of select(call.request)) call.write(item);
      call.end();
    },
    AddItem(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const err = authorized(call, 'AddItem');
      if (err) return cb(err);
      if (call.request.name === 'reject-me') return cb(Object.assign(new Error('invalid'), { code: grpc.status.INVALID_ARGUMENT, details: 'name reject-me is not allowed', metadata: new grpc.Metadata() }));
      state.received.push(call.request);
      cb(null, { count: 1 });
    },
    AddItems(call: grpc.ServerUnaryCall<{ batch: string; items: Array<Record<string, unknown>> }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const err = authorized(call, 'AddItems');
      if (err) return cb(err);
      for (const item of call.request.items) state.received.push({ ...item, batch: call.request.batch });
      cb(null, { count: call.request.items.length });
    },
    UploadItems(call: grpc.ServerReadableStream<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const err = authorized(call, 'UploadItems');
      if (err) return cb(err);
      let n = 0;
      call.on('data', (item: Record<string, unknown>) => {
        state.received.push(item);
        n++;
      });
      call.on('end', () => cb(null, { count: n }));
    },
    Ping(call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const err = authorized(call, 'Ping');
      if (err) return cb(err);
      cb(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', tls ? grpc.ServerCredentials.createSsl(tls.clientCa, [{ private_key: tls.key, cert_chain: tls.cert }], true) : grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return {
    address: `127.0.0.1:${port}`,
    items: state.items,
    received: state.received,
    calls: state.calls,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
