/**
 * The shared conformance suite (registration, config schema, redaction, health tiers, lineage,
 * lifecycle) against a real grpc-js server on 127.0.0.1.
 *
 * `read` and `write` are declared false, with reason: the suite seeds and round-trips tables of
 * its own columns, while a gRPC method's rows have the fixed shape of its proto message. Reads and
 * writes are tested against the server in grpc.test.ts.
 */
import { testConnector } from '@sparkle/testkit';
import { GrpcConnection } from '../src/index.js';
import { PROTO, startGrpcServer, TOKEN, type GrpcTestServer } from './server.js';

let server: GrpcTestServer | undefined;

testConnector({
  type: 'grpc',
  aliases: [],
  connectionClass: GrpcConnection,
  validConfig: { address: 'api.example.test:443', proto: PROTO, service: 'sparkle.test.Inventory', metadata: { authorization: 'Bearer grpc-Conformance-Token-Never-Shown' }, tls: { key: '/etc/ssl/private/client-key-never-shown.pem' } },
  invalidConfigs: [
    { name: 'an address without a port', config: { address: 'api.example.test', proto: PROTO, service: 's.S' }, path: 'address' },
    { name: 'plaintext to a remote host', config: { address: 'api.example.test:50051', proto: PROTO, service: 's.S', insecure: true }, path: 'insecure' },
    { name: 'a resultPath that is not a JSON pointer', config: { address: '127.0.0.1:1', insecure: true, proto: PROTO, service: 's.S', reads: { a: { method: 'M', resultPath: 'items' } } }, path: 'reads.a.resultPath' },
  ],
  secretFields: ['tls.key', 'metadata.authorization'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  async service() {
    server = await startGrpcServer();
    return {
      config: { address: server.address, insecure: true, proto: PROTO, service: 'sparkle.test.Inventory', metadata: { authorization: `Bearer ${TOKEN}` }, healthMethod: 'Ping' },
      stop: () => server!.close(),
    };
  },
  unreachableConfig: { address: '127.0.0.1:1', insecure: true, proto: PROTO, service: 'sparkle.test.Inventory', deadlineMs: 2000 },
});
