import { getConnection } from '@sparkle/core';
import '@sparkle/connector-mariadb';

await using db = await getConnection('mariadb', {
  config: { host: '127.0.0.1', port: 3306, database: 'test', user: 'root' },
});
const report = await db.check(); // config → network → auth → probe, each timed
console.log(report.ok, report.steps.map((s) => `${s.tier}:${s.status}`));
export {};
