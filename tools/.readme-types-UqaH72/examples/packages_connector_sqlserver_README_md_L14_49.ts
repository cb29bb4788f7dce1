import { getConnection } from '@sparkle/core';
import '@sparkle/connector-sqlserver';

const rows = [{ id: 1, total: 9.5 }];
await using db = await getConnection('mssql', {
  config: { url: 'jdbc:sqlserver://db.internal:1433;databaseName=shop;encrypt=true', user: 'app', password: process.env.MSSQL_PASSWORD },
});
await db.writeTable(rows, 'dbo.orders_copy', { mode: 'overwrite' });
export {};
