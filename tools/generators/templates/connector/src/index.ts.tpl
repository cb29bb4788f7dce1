// {{banner}}
/**
 * `@sparkle/connector-{{slug}}`: the `{{type}}` connection type{{aliasesSentence}}. Importing this
 * module registers it (idempotently); core's plugin discovery imports it on demand.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-{{slug}}';
 *
 * await using conn = await getConnection('{{type}}', { env: 'dev' });
 * console.log(await conn.test());
 * ```
 * @packageDocumentation
 */
import { registerConnection } from '@sparkle/core';
import { {{className}} } from './connection.js';

export { {{className}}, {{schemaName}}, type {{configTypeName}} } from './connection.js';

registerConnection({{namesTs}}, {{className}}, {
  packageName: '@sparkle/connector-{{slug}}',
  family: '{{family}}',
  capabilities: {{capabilitiesTs}},
});
