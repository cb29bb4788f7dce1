/** The shared conformance suite, against the real PostgreSQL server and against PGlite. */
import { findPostgres, startPglite, testConnector } from '@sparkle/testkit';
import { PostgreSQLConnection } from '../src/index.js';

const capabilities = { read: true, write: true, query: true, discover: true, spark: true, health: true };
const common = {
  type: 'postgres',
  aliases: ['postgresql'],
  connectionClass: PostgreSQLConnection,
  validConfig: {
    driver: 'org.postgresql.Driver',
    url: 'jdbc:postgresql://prod-db:5432/analytics',
    user: 'analyst',
    password: 'pw-Never-Printed-41',
    properties: { fetchsize: '10000', ssl: 'true' },
  },
  invalidConfigs: [
    { name: 'a non-JDBC url', config: { url: 'postgresql://x:5432/db', user: 'u' }, path: 'url' },
    { name: 'a port out of range', config: { host: 'db', port: 70000, user: 'u' }, path: 'port' },
    { name: 'a wrong property type', config: { url: 'jdbc:postgresql://db/x', properties: { ssl: { nested: 'Secret-Shape-9' } } }, path: 'properties.ssl' },
  ],
  secretFields: ['password'],
  capabilities,
  unreachableConfig: { url: 'jdbc:postgresql://127.0.0.1:1/test', user: 'postgres', password: 'pw-Never-Printed-41' },
  failTimeoutMs: 3000,
};

testConnector({ ...common, service: findPostgres, serviceRequired: true, tablePrefix: 'sparkle_ct_server' });
testConnector({ ...common, type: 'postgres', service: startPglite, tablePrefix: 'sparkle_ct_pglite' });
