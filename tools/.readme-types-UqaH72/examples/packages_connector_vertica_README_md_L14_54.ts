import { getConnection } from '@sparkle/core';
import '@sparkle/connector-vertica';

const rows = [{ id: 1, total: 9.5 }];
await using v = await getConnection('vertica', {
  config: { url: 'jdbc:vertica://vertica.internal:5433/analytics', user: 'dbadmin', password: process.env.VERTICA_PASSWORD },
});
await v.writeTable(rows, 'public.events', { mode: 'append' });
export {};
