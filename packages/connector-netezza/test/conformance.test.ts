import { testConnector } from '@sparkle/testkit';
import { NetezzaConnection } from '../src/index.js';

testConnector({
  type: 'netezza',
  aliases: [],
  connectionClass: NetezzaConnection,
  validConfig: { url: 'jdbc:netezza://nz.internal:5480/SALES', user: 'admin', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { url: 'jdbc:netezza://127.0.0.1:1/X' },
});
