/**
 * @sparkle/connector-webhook — a signed webhook sender for Sparkle. Importing it registers the
 * `webhook` type.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-webhook';
 *
 * await using hook = await getConnection('webhook', { env: 'prod' });
 * await hook.send({ payload: { event: 'nightly.done', rows: 1204 } });
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection, type ConnectionClass } from '@sparkle/core';
import { WebhookConnection } from './connection.js';
import { meta } from './meta.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, WebhookConnection as unknown as ConnectionClass);

// Core cannot resolve the engine under pnpm's strict layout; this package depends on it.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

export { WebhookConnection, webhookConfigSchema, signWebhookBody, type WebhookConfig } from './connection.js';
