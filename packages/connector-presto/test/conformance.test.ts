import { testConnector } from '@sparkle/testkit';
import { PrestoConnection } from '../src/index.js';
import { FakeCoordinator } from './fake-coordinator.js';

testConnector({
  type: 'presto',
  connectionClass: PrestoConnection,
  validConfig: { url: 'jdbc:presto://coordinator:8080/hive/default', user: 'etl', password: 's3cret-pw', accessToken: 'tok-s3cret' },
  secretFields: ['password', 'accessToken'],
  capabilities: { read: true, write: true, query: true, discover: true, spark: true, health: true },
  service: async () => {
    const fake = await new FakeCoordinator({ headerPrefix: 'X-Presto', pageSize: 500 }).start();
    return { config: { url: `jdbc:presto://127.0.0.1:${fake.port}/memory/public`, user: 'etl' }, stop: () => fake.close() };
  },
  unreachableConfig: { url: 'jdbc:presto://127.0.0.1:1/memory/public', user: 'etl' },
});
