import { testConnector } from '@sparkle/testkit';
import { SybaseConnection } from '../src/index.js';

testConnector({
  type: 'sybase',
  aliases: [],
  connectionClass: SybaseConnection,
  validConfig: { url: 'jdbc:sybase:Tds:ase.internal:5000/sales', user: 'sa', password: 's3cret-pw' },
  secretFields: ['password'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: true, health: true },
  unreachableConfig: { url: 'jdbc:sybase:Tds:127.0.0.1:1/x' },
});
