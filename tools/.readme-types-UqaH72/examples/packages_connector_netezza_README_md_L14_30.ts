import { getConnection } from '@sparkle/core';
import '@sparkle/connector-netezza';

// Reads and writes need Spark (see below); natively only check() works.
await using nz = await getConnection('netezza', { config: { url: 'jdbc:netezza://nz.internal:5480/SALES', user: 'admin', password: process.env.NETEZZA_PASSWORD } });
console.log(await nz.check()); // config ok, network ok, auth/probe skipped with the reason
export {};
