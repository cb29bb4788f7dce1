/**
 * @sparkle/connector-rest — declarative REST APIs for Sparkle. Importing it registers the `rest`
 * type and its alias `rest_api`.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-rest';
 *
 * await using api = await getConnection('rest', {
 *   config: {
 *     baseUrl: 'https://api.example.com/v1',
 *     auth: { type: 'bearer', token: process.env.API_TOKEN },
 *     endpoints: { users: { path: '/users', recordSelector: '/data', pagination: { type: 'cursor', cursorPointer: '/next', cursorParam: 'cursor' } } },
 *   },
 * });
 * const users = await api.readTable('users');
 * ```
 * @packageDocumentation
 */
import { provideLocalEngine, registerConnection, type ConnectionClass } from '@sparkle/core';
import { RestConnection } from './connection.js';
import { meta } from './meta.js';

// Type, aliases, family and core range come from package.json's "sparkle" field (src/meta.ts, generated);
// capabilities are derived from the class's methods.
registerConnection(meta, RestConnection as unknown as ConnectionClass);

// Core cannot resolve the engine under pnpm's strict layout; this package depends on it.
provideLocalEngine(() => import('@sparkle/engine-local').then((m) => m.localEngine));

export { RestConnection } from './connection.js';
export { restConfigSchema, endpointSchema, paginationSchema, endpointWriteSchema, type RestConfig, type RestEndpoint, type RestPagination, type RestEndpointWrite } from './config.js';
