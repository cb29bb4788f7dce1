/** The shared conformance suite against the real MariaDB (127.0.0.1:3306, root, database `test`). */
import { testConnector, type ServiceResult } from '@sparkle/testkit';
import { MariaDBConnection } from '../src/index.js';
import { MARIADB } from '../../connector-mysql/test/mysql-protocol-suite.js';

async function mariadb(): Promise<ServiceResult> {
  return { config: { url: `jdbc:mariadb://${MARIADB.host}:${MARIADB.port}/${MARIADB.database}`, user: MARIADB.user } };
}

testConnector({
  type: 'mariadb',
  connectionClass: MariaDBConnection,
  validConfig: { url: 'jdbc:mariadb://db.internal:3306/shop', user: 'app', password: 'pw-Never-Printed-41' },
  invalidConfigs: [{ name: 'a port out of range', config: { host: 'db', port: 70000 }, path: 'port' }],
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  service: mariadb,
  serviceRequired: true,
  unreachableConfig: { url: 'jdbc:mariadb://127.0.0.1:1/test', user: 'root', password: 'pw-Never-Printed-41' },
  failTimeoutMs: 3000,
  tablePrefix: 'sparkle_ct_mariadb',
});
