import { getConnection } from '@sparkle/core';
import '@sparkle/connector-teradata';

const rows = [{ id: 1, total: 9.5 }];
await using td = await getConnection('teradata', {
  config: { url: 'jdbc:teradata://td.internal/DATABASE=sales,DBS_PORT=1025', user: 'etl', password: process.env.TERADATA_PASSWORD },
});
await td.writeTable(rows, 'orders_copy', { mode: 'overwrite' });
export {};
