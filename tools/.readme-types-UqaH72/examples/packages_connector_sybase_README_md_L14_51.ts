import { getConnection } from '@sparkle/core';
import '@sparkle/connector-sybase';

// Reads and writes need Spark (see below); natively only check() works.
await using ase = await getConnection('sybase', { config: { url: 'jdbc:sybase:Tds:ase.internal:5000/sales', user: 'sa', password: process.env.SYBASE_PASSWORD } });
console.log(await ase.check());
export {};
