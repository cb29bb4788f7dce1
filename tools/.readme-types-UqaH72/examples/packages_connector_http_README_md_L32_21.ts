import { getConnection } from '@sparkle/core';
import { HttpConnection } from '@sparkle/connector-http';

await using web = await getConnection<HttpConnection>('http', { env: 'prod' });
const orders = await web.readTable('orders.csv');                      // CSV → Arrow
const events = await web.readTable('/events', { options: { format: 'ndjson' } });
const res = await web.request({ method: 'POST', path: '/jobs', json: { run: true } });
console.log(res.status, await res.json());
export {};
