import { ConnectionFactory, getConnection } from '@sparkle/core';

console.log(ConnectionFactory.listAvailable()); // installed connectors are discovered

await using conn = await getConnection('postgres', { env: 'prod' }); // config/connections/postgres/{common,prod}.json
const report = await conn.check({ timeoutMs: 5000 });
for (const step of report.steps) console.log(step.tier, step.status, `${step.durationMs.toFixed(0)} ms`, step.message);
export {};
