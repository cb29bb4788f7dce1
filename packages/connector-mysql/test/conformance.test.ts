/** The shared conformance suite against the real MariaDB (127.0.0.1:3306, root, database `test`). */
import { testConnector, type ServiceResult } from '@sparkle/testkit';
import { MySQLConnection } from '../src/index.js';
import { MARIADB } from './mysql-protocol-suite.js';

async function mariadb(): Promise<ServiceResult> {
  return { config: { url: `jdbc:mysql://${MARIADB.host}:${MARIADB.port}/${MARIADB.database}`, user: MARIADB.user } };
}

testConnector({
  type: 'mysql',
  connectionClass: MySQLConnection,
  validConfig: { url: 'jdbc:mysql://db.internal:3306/shop', user: 'app', password: 'pw-Never-Printed-41', properties: { useSSL: 'true' } },
  invalidConfigs: [
    { name: 'a non-JDBC url', config: { url: 'mysql://db:3306/shop' }, path: 'url' },
    { name: 'an unknown bulk load mode', config: { host: 'db', bulkLoad: 'telepathy' }, path: 'bulkLoad' },
  ],
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  service: mariadb,
  serviceRequired: true,
  unreachableConfig: { url: 'jdbc:mysql://127.0.0.1:1/test', user: 'root', password: 'pw-Never-Printed-41' },
  failTimeoutMs: 3000,
  tablePrefix: 'sparkle_ct_mysql',
});
