import { testConnector } from '@sparkle/testkit';
import { TrinoConnection } from '../src/index.js';
import { FakeCoordinator } from '../../connector-presto/test/fake-coordinator.js';

testConnector({
  type: 'trino',
  connectionClass: TrinoConnection,
  validConfig: { url: 'jdbc:trino://coordinator:8080/hive/default', user: 'etl', password: 's3cret-pw', accessToken: 'tok-s3cret' },
  secretFields: ['password', 'accessToken'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  service: async () => {
    const fake = await new FakeCoordinator({ headerPrefix: 'X-Trino', pageSize: 500 }).start();
    return { config: { url: `jdbc:trino://127.0.0.1:${fake.port}/memory/public`, user: 'etl' }, stop: () => fake.close() };
  },
  unreachableConfig: { url: 'jdbc:trino://127.0.0.1:1/memory/public', user: 'etl' },
});
