import { getConnection } from '@sparkle/core';
import type { WebhookConnection } from '@sparkle/connector-webhook';

await using hook = await getConnection<WebhookConnection>('webhook', { env: 'prod' });
const failedOrders = [{ id: 17, reason: 'card declined' }];
await hook.send({ payload: { event: 'nightly.done', rows: 1204 }, idempotencyKey: 'nightly-2026-12-07' });
await hook.writeTable(failedOrders, 'order.failed', { mode: 'append' }); // one signed event per row
export {};
