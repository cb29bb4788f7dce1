/**
 * A freshly scaffolded connector must pass the shared conformance suite before anyone edits it:
 * this file generates one JDBC and one non-JDBC connector into a temporary workspace layout at
 * collection time and imports their generated test files, whose `testConnector(...)` calls
 * register the suite's tests here.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';
import { generateConnector } from '../new-connector.ts';

const workspace = resolve(import.meta.dirname, '../../..');
const root = mkdtempSync(join(tmpdir(), 'sparkle-gen-conformance-'));
mkdirSync(join(root, '.changeset'));
mkdirSync(join(root, 'packages/core'), { recursive: true });
copyFileSync(join(workspace, 'packages/core/package.json'), join(root, 'packages/core/package.json'));
for (const file of ['tsconfig.base.json', 'tsup.config.base.ts', 'vitest.shared.ts']) copyFileSync(join(workspace, file), join(root, file));
mkdirSync(join(root, 'node_modules'));
symlinkSync(join(workspace, 'packages/core/node_modules/zod'), join(root, 'node_modules/zod'));
symlinkSync(join(workspace, 'node_modules/vitest'), join(root, 'node_modules/vitest'));

generateConnector({ name: 'gen_jdbc', family: 'jdbc', aliases: ['genj'], jdbcDriver: 'com.example.gen.Driver', port: 7001 }, { root });
generateConnector({ name: 'gen_api', family: 'api', port: 7002 }, { root });

afterAll(() => rmSync(root, { recursive: true, force: true }));

await import(pathToFileURL(join(root, 'packages/connector-gen-jdbc/test/gen-jdbc.test.ts')).href);
await import(pathToFileURL(join(root, 'packages/connector-gen-api/test/gen-api.test.ts')).href);
