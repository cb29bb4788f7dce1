import { getConnection } from '@sparkle/core';
import '@sparkle/connector-greenplum';

await using gp = await getConnection('greenplum', {
  config: { url: 'jdbc:postgresql://127.0.0.1:5432/test', user: 'postgres' },
});
console.log(await gp.test());
await gp.writeTable([{ id: 1, name: 'a' }], 'public.gp_demo', { mode: 'overwrite' });
export {};
