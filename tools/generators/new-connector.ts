/**
 * Scaffolds a connector package in the house style:
 *
 *   pnpm gen:connector <name> [--family jdbc] [--aliases a,b] [--driver <npm-package>]
 *                             [--jdbc-driver <class>] [--port <n>] [--description <text>]
 *                             [--capabilities a,b] [--class-name <Name>Connection] [--dry-run]
 *
 * It writes `packages/connector-<name>/` (package.json, tsconfig, tsup and vitest configs,
 * `src/index.ts` registering the class, `src/connection.ts` extending the family base, a test
 * running `@sparkle/testkit`'s conformance suite, README) and `.changeset/connector-<name>.md`,
 * from the templates in `templates/connector/`. It never overwrites: an existing package or a
 * type name another package already claims is an error. Every written file except package.json
 * (JSON has no comments) starts with a comment naming this generator.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectorMetaSource } from '../scripts/sync-workspace.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TEMPLATES = join(here, 'templates', 'connector');

/** The banner every generated file (but package.json) starts with, inside its own comment syntax. */
export const BANNER = 'Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.';

/**
 * Connector families (DESIGN.md): the core base class each extends, its connection template, its
 * test template, and the capability suite that test runs against an in-memory backend.
 * `formats`: the test reads and writes tables as files, so it needs `@sparkle/formats`.
 * `file_format`, `specialized` and `custom` share the plain template.
 */
export const FAMILIES: Record<string, { base: string; template: string; test: string; suite?: string; arrow?: boolean; formats?: boolean }> = {
  jdbc: { base: 'JDBCConnection', template: 'src/connection.jdbc.ts.tpl', test: 'test/connector.test.ts.tpl', suite: 'testConnector' },
  api: { base: 'APIConnection', template: 'src/connection.api.ts.tpl', test: 'test/connector.api.test.ts.tpl', suite: 'testConnector' },
  catalog: { base: 'CatalogConnection', template: 'src/connection.catalog.ts.tpl', test: 'test/connector.catalog.test.ts.tpl', suite: 'testCatalog' },
  ml: { base: 'MLPlatformConnection', template: 'src/connection.ml.ts.tpl', test: 'test/connector.ml.test.ts.tpl', suite: 'testMlRegistry' },
  notify: { base: 'NotifyConnection', template: 'src/connection.notify.ts.tpl', test: 'test/connector.notify.test.ts.tpl', suite: 'testNotifier' },
  directory: { base: 'DirectoryConnection', template: 'src/connection.directory.ts.tpl', test: 'test/connector.directory.test.ts.tpl', suite: 'testDirectory' },
  warehouse: { base: 'WarehouseConnection', template: 'src/connection.warehouse.ts.tpl', test: 'test/connector.warehouse.test.ts.tpl', suite: 'testConnector', arrow: true },
  table_format: { base: 'TableFormatConnection', template: 'src/connection.table_format.ts.tpl', test: 'test/connector.table_format.test.ts.tpl', suite: 'testConnector', arrow: true },
  cloud_storage: {
    base: 'CloudStorageConnection',
    template: 'src/connection.cloud_storage.ts.tpl',
    test: 'test/connector.cloud_storage.test.ts.tpl',
    suite: 'testObjectStore',
    formats: true,
  },
  streaming: { base: 'StreamingConnection', template: 'src/connection.streaming.ts.tpl', test: 'test/connector.streaming.test.ts.tpl', suite: 'testStream' },
  nosql: { base: 'NoSQLConnection', template: 'src/connection.nosql.ts.tpl', test: 'test/connector.nosql.test.ts.tpl', suite: 'testDocumentStore' },
  file_format: { base: 'SparkleConnection', template: 'src/connection.base.ts.tpl', test: 'test/connector.test.ts.tpl' },
  specialized: { base: 'SparkleConnection', template: 'src/connection.base.ts.tpl', test: 'test/connector.test.ts.tpl' },
  custom: { base: 'SparkleConnection', template: 'src/connection.base.ts.tpl', test: 'test/connector.test.ts.tpl' },
};

const KNOWN_CAPABILITIES = ['read', 'write', 'query', 'discover', 'spark', 'stream', 'produce', 'consume'];

export interface ConnectorSpec {
  /** Connection type: lower-case letters, digits, '_' or '-' (`databricks_sql`, `s3-compatible`). */
  name: string;
  family?: string;
  aliases?: string[];
  /** npm package of the native driver, imported lazily at connect time. */
  driver?: string;
  /** Spark JDBC driver class (jdbc family). */
  jdbcDriver?: string;
  /** JDBC subprotocol (jdbc family); default: the type. */
  subprotocol?: string;
  port?: number;
  description?: string;
  capabilities?: string[];
  className?: string;
  /** Spark data source format (warehouse: default `jdbc`; table_format: default the name). */
  sparkFormat?: string;
}

export interface GenerateOptions {
  /** Workspace root holding `packages/` and `.changeset/`. Default: this repository. */
  root?: string;
  /** Compute the files without writing them. */
  dryRun?: boolean;
}

export interface GeneratedFile {
  /** Path relative to the workspace root. */
  path: string;
  content: string;
}

export interface GenerateResult {
  packageName: string;
  directory: string;
  files: GeneratedFile[];
  /** What the developer does next. */
  nextSteps: string[];
}

/** A bad name, family or collision. The CLI prints its message and exits 2. */
export class GeneratorError extends Error {
  override name = 'GeneratorError';
}

const NAME = /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/;
// npm package names: optional scope, lower-case, URL-safe characters.
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const JAVA_CLASS = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

function checkTypeName(name: string, what: string): void {
  if (!NAME.test(name) || name.length > 40) {
    throw new GeneratorError(
      `Invalid ${what} '${name}': use lower-case letters and digits, separated by single '_' or '-', starting with a letter (at most 40 characters), e.g. 'teradata' or 'databricks_sql'.`,
    );
  }
}

/** `databricks_sql` → `DatabricksSql`. */
export function pascalCase(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Type names and aliases already claimed by packages of the workspace, with the claiming package. */
function claimedNames(root: string): Map<string, string> {
  const claimed = new Map<string, string>();
  const packagesDir = join(root, 'packages');
  for (const dir of existsSync(packagesDir) ? readdirSync(packagesDir) : []) {
    const pkg = readJson(join(packagesDir, dir, 'package.json'));
    const field = pkg?.sparkle as { type?: unknown; aliases?: unknown } | undefined;
    if (!field || typeof field.type !== 'string') continue;
    const names = [field.type, ...(Array.isArray(field.aliases) ? field.aliases.filter((a): a is string => typeof a === 'string') : [])];
    for (const n of names) claimed.set(n.replace(/-/g, '_'), String(pkg?.name ?? dir));
  }
  return claimed;
}

/** The version range of `name` installed somewhere in the workspace (`^1.2.3`), if any. */
function installedRange(root: string, name: string): string | undefined {
  const candidates = [join(root, 'node_modules', name, 'package.json')];
  const packagesDir = join(root, 'packages');
  for (const dir of existsSync(packagesDir) ? readdirSync(packagesDir) : []) candidates.push(join(packagesDir, dir, 'node_modules', name, 'package.json'));
  for (const file of candidates) {
    const version = readJson(file)?.version;
    if (typeof version === 'string') return `^${version}`;
  }
  return undefined;
}

/** Tiny mustache subset: `{{var}}`, `{{#flag}}…{{/flag}}` (truthy), `{{^flag}}…{{/flag}}` (falsy). */
export function renderTemplate(template: string, values: Record<string, string>, file = 'template'): string {
  const section = (open: string, key: string, body: string) => ((open === '#') === Boolean(values[key]) ? body : '');
  let out = template.replace(/^\{\{([#^])(\w+)\}\}\n([\s\S]*?)^\{\{\/\2\}\}\n/gm, (_m, open: string, key: string, body: string) => section(open, key, body));
  out = out.replace(/\{\{([#^])(\w+)\}\}([\s\S]*?)\{\{\/\2\}\}/g, (_m, open: string, key: string, body: string) => section(open, key, body));
  return out.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    if (!(key in values)) throw new GeneratorError(`${file}: no value for {{${key}}}`);
    return values[key]!;
  });
}

function indentJson(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
}

/** A value as TypeScript source in the house style: single quotes, `{ a: 1 }`, `['x', 'y']`. */
export function tsLiteral(value: unknown, indent = '', multiline = false): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value !== 'object' || value === null) return String(value);
  const inner = indent + '  ';
  if (Array.isArray(value)) return `[${value.map((v) => tsLiteral(v, indent)).join(', ')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : tsLiteral(k)}: ${tsLiteral(v, inner)}`);
  if (entries.length === 0) return '{}';
  return multiline ? `{\n${entries.map((e) => `${inner}${e},`).join('\n')}\n${indent}}` : `{ ${entries.join(', ')} }`;
}

/**
 * Computes (and unless `dryRun`, writes) a new connector package.
 *
 * @example
 * ```ts
 * const result = generateConnector({ name: 'teradata', family: 'jdbc', jdbcDriver: 'com.teradata.jdbc.TeraDriver', port: 1025 });
 * console.log(result.files.map((f) => f.path));
 * ```
 */
export function generateConnector(spec: ConnectorSpec, options: GenerateOptions = {}): GenerateResult {
  const root = resolve(options.root ?? join(here, '..', '..'));
  const name = spec.name.trim().toLowerCase();
  checkTypeName(name, 'connector name');
  const type = name.replace(/-/g, '_');
  const slug = name.replace(/_/g, '-');
  const familyName = spec.family ?? 'custom';
  const family = FAMILIES[familyName];
  if (!family) throw new GeneratorError(`Unknown family '${familyName}': use one of ${Object.keys(FAMILIES).join(', ')}.`);

  const aliases = [...new Set((spec.aliases ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean))];
  for (const alias of aliases) checkTypeName(alias, 'alias');
  const aliasTypes = aliases.map((a) => a.replace(/-/g, '_'));
  if (aliasTypes.includes(type)) throw new GeneratorError(`The alias '${type}' is the connector's own name.`);

  if (spec.driver !== undefined && (!NPM_NAME.test(spec.driver) || spec.driver.length > 214)) {
    throw new GeneratorError(`Invalid driver package name '${spec.driver}': give an npm package name such as 'pg' or '@scope/driver'.`);
  }
  if (spec.jdbcDriver !== undefined && !JAVA_CLASS.test(spec.jdbcDriver)) {
    throw new GeneratorError(`Invalid JDBC driver class '${spec.jdbcDriver}': give a Java class name such as 'com.teradata.jdbc.TeraDriver'.`);
  }
  if (spec.subprotocol !== undefined && !/^[a-z][a-z0-9:+.-]*$/.test(spec.subprotocol)) {
    throw new GeneratorError(`Invalid JDBC subprotocol '${spec.subprotocol}'.`);
  }
  if (spec.port !== undefined && (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535)) {
    throw new GeneratorError(`Invalid port '${spec.port}': give an integer from 1 to 65535.`);
  }
  const className = spec.className ?? `${pascalCase(type)}Connection`;
  if (!/^[A-Z][A-Za-z0-9]*Connection$/.test(className)) throw new GeneratorError(`Invalid class name '${className}': PascalCase ending in 'Connection'.`);
  const description = (spec.description ?? `${pascalCase(type)} connection`).replace(/\s+/g, ' ').trim();
  if (/['"`\\{}]/.test(description)) throw new GeneratorError('The description may not contain quotes, backslashes or braces.');

  const capabilities = [...new Set(spec.capabilities ?? (family.base === 'JDBCConnection' ? (spec.driver ? ['read', 'write', 'query', 'discover', 'spark'] : ['spark']) : []))];
  for (const c of capabilities) if (!KNOWN_CAPABILITIES.includes(c)) throw new GeneratorError(`Unknown capability '${c}': use ${KNOWN_CAPABILITIES.join(', ')}.`);

  // Refuse to overwrite anything, and refuse names another package already registers.
  const directory = join(root, 'packages', `connector-${slug}`);
  if (existsSync(directory)) throw new GeneratorError(`${relative(root, directory)} already exists; the generator never overwrites a package.`);
  const changesetPath = join(root, '.changeset', `connector-${slug}.md`);
  if (existsSync(changesetPath)) throw new GeneratorError(`${relative(root, changesetPath)} already exists.`);
  const claimed = claimedNames(root);
  for (const n of [type, ...aliasTypes]) {
    const owner = claimed.get(n);
    if (owner) throw new GeneratorError(`The name '${n}' is already registered by ${owner}.`);
  }

  const corePkg = readJson(join(root, 'packages', 'core', 'package.json'));
  const zodRange = ((corePkg?.dependencies as Record<string, string> | undefined)?.zod ?? '^4.1.0').replace(/^workspace:/, '');
  const engineDeps = readJson(join(root, 'packages', 'engine-local', 'package.json'))?.dependencies as Record<string, string> | undefined;
  const arrowRange = engineDeps?.['apache-arrow'] ?? '^21.1.0';
  const sparkFormat = spec.sparkFormat ?? (familyName === 'warehouse' ? 'jdbc' : type);
  if (!/^[A-Za-z][\w.-]*$/.test(sparkFormat)) throw new GeneratorError(`Invalid Spark format '${sparkFormat}': a data source name such as 'snowflake' or 'delta'.`);
  const driverRange = spec.driver ? installedRange(root, spec.driver) : undefined;
  const dependencies: Record<string, string> = {
    '@sparkle/core': 'workspace:^',
    '@sparkle/engine-local': 'workspace:^',
    zod: zodRange,
    ...(family.arrow ? { 'apache-arrow': arrowRange } : {}),
    ...(spec.driver ? { [spec.driver]: driverRange ?? '*' } : {}),
  };
  const sortedDeps = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));

  const port = spec.port;
  const envPrefix = type.toUpperCase();
  const isJdbc = family.base === 'JDBCConnection';
  const readmeConfig = isJdbc
    ? { url: `jdbc:${spec.subprotocol ?? type}://localhost${port ? `:${port}` : ''}/app`, user: `\${${envPrefix}_USER}`, password: `\${${envPrefix}_PASSWORD}` }
    : familyName === 'api'
      ? { baseUrl: `https://localhost${port ? `:${port}` : ''}/v1`, auth: { type: 'bearer', token: `\${${envPrefix}_TOKEN}` } }
      : familyName === 'table_format'
        ? { location: 's3://lake/tables', storage: { type: 's3', config: { bucket: 'lake' } } }
        : ['catalog', 'ml', 'notify', 'directory'].includes(familyName)
          ? { url: `https://localhost${port ? `:${port}` : ''}`, token: `\${${envPrefix}_TOKEN}` }
          : familyName === 'cloud_storage'
            ? { endpoint: `https://localhost${port ? `:${port}` : ''}`, bucket: 'lake', accessKeyId: `\${${envPrefix}_ACCESS_KEY_ID}`, secretAccessKey: `\${${envPrefix}_SECRET_ACCESS_KEY}` }
            : familyName === 'streaming'
              ? { brokers: [`localhost:${port ?? 9092}`], user: `\${${envPrefix}_USER}`, password: `\${${envPrefix}_PASSWORD}` }
              : { host: 'localhost', ...(port ? { port } : {}), user: `\${${envPrefix}_USER}`, password: `\${${envPrefix}_PASSWORD}` };
  const testConfig = isJdbc
    ? { host: 'localhost', ...(port ? { port } : {}), database: 'app', user: 'app', password: 'example-secret' }
    : { host: 'localhost', port: port ?? 9999, user: 'app', password: 'example-secret' };
  const names = [type, ...aliasTypes];
  const values: Record<string, string> = {
    banner: BANNER,
    slug,
    type,
    family: familyName,
    description,
    className,
    clientName: `${className.replace(/Connection$/, '')}Client`,
    envPrefix,
    port: port ? String(port) : '',
    testPort: String(port ?? 9999),
    sparkFormat,
    schemaName: `${className.charAt(0).toLowerCase()}${className.slice(1).replace(/Connection$/, '')}ConfigSchema`,
    configTypeName: `${className.replace(/Connection$/, '')}Config`,
    driver: spec.driver ?? '',
    jdbcDriver: spec.jdbcDriver ?? '',
    subprotocol: spec.subprotocol ?? type,
    defaultPortField: port ? ` defaultPort: ${port},` : '',
    portModifier: port ? `.default(${port})` : '.optional()',
    aliasesJson: indentJson(aliasTypes, '    '),
    aliasesTs: tsLiteral(aliasTypes),
    namesTs: tsLiteral(names),
    aliasesSentence: aliasTypes.length ? ` (aliases ${aliasTypes.map((a) => `\`${a}\``).join(', ')})` : '',
    aliasesTestTitle: aliasTypes.length ? ' and its aliases' : '',
    capabilitiesJson: indentJson(capabilities, '    '),
    capabilitiesTs: tsLiteral(capabilities),
    capabilitiesObjectTs: tsLiteral(
      Object.fromEntries(['read', 'write', 'query', 'discover', 'spark'].map((c) => [c, capabilities.includes(c)]).concat([['health', true]])),
    ),
    unreachableConfigTs: tsLiteral(isJdbc ? { host: '127.0.0.1', port: 1, database: 'app', user: 'app' } : { host: '127.0.0.1', port: 1 }),
    isJdbc: isJdbc ? 'yes' : '',
    keywordsJson: indentJson(['sparkle', type, ...(familyName === 'custom' ? [] : [familyName])], '  '),
    dependenciesJson: indentJson(sortedDeps, '  '),
    devDependenciesJson: indentJson({ ...(family.formats ? { '@sparkle/formats': 'workspace:^' } : {}), '@sparkle/testkit': 'workspace:^' }, '  '),
    readmeConfigJson: JSON.stringify(readmeConfig, null, 2),
    testConfigTs: tsLiteral(testConfig, '  ', true),
    testConfigInlineTs: tsLiteral(testConfig),
    driverSection: spec.driver
      ? `The native path uses \`${spec.driver}\`, imported when a connection first opens (Spark-only use never loads it); without it installed, connecting fails with a MISSING_DRIVER error naming the package.`
      : isJdbc
        ? 'No Node driver: the connection works through Spark (Spark JDBC options), and the native path reports UNSUPPORTED.'
        : 'No driver package yet.',
  };

  const pkgDir = `packages/connector-${slug}`;
  const plan: Array<[template: string, target: string]> = [
    ['package.json.tpl', `${pkgDir}/package.json`],
    ['tsconfig.json.tpl', `${pkgDir}/tsconfig.json`],
    ['tsup.config.ts.tpl', `${pkgDir}/tsup.config.ts`],
    ['vitest.config.ts.tpl', `${pkgDir}/vitest.config.ts`],
    ['README.md.tpl', `${pkgDir}/README.md`],
    ['src/index.ts.tpl', `${pkgDir}/src/index.ts`],
    [family.template, `${pkgDir}/src/connection.ts`],
    [family.test, `${pkgDir}/test/${slug}.test.ts`],
    ['changeset.md.tpl', `.changeset/connector-${slug}.md`],
  ];
  const files = plan.map(([template, target]) => ({
    path: target,
    content: renderTemplate(readFileSync(join(TEMPLATES, template), 'utf8'), values, template),
  }));
  // src/meta.ts is owned by tools/scripts/sync-workspace.mjs (regenerated from package.json by
  // `pnpm sync`); the generator writes its first version with the same function.
  const pkgJson = JSON.parse(files[0]!.content) as { name: string; sparkle: Record<string, unknown> };
  files.splice(6, 0, { path: `${pkgDir}/src/meta.ts`, content: connectorMetaSource(pkgJson, `connector-${slug}`) });

  if (!options.dryRun) {
    for (const file of files) {
      const absolute = join(root, file.path);
      mkdirSync(dirname(absolute), { recursive: true });
      // 'wx': fail rather than overwrite, even if something appeared since the checks above.
      writeFileSync(absolute, file.content, { flag: 'wx' });
    }
  }

  const packageName = `@sparkle/connector-${slug}`;
  const nextSteps = [
    'pnpm install   # links the new package into the workspace (then pnpm sync adds it to tools/package.json)',
    ...(spec.driver && !driverRange ? [`pnpm add ${spec.driver} --filter ${packageName}   # pins the driver version (package.json has '*')`] : []),
    `implement the TODOs in ${pkgDir}/src/connection.ts and name what the tests run against in its README`,
    `cd ${pkgDir} && npx vitest run`,
  ];
  return { packageName, directory, files, nextSteps };
}

function usage(): string {
  return `Usage: pnpm gen:connector <name> [options]

Scaffolds packages/connector-<name>/ and .changeset/connector-<name>.md in the house style.

Options:
  --family <f>          ${Object.keys(FAMILIES).join(' | ')} (default custom)
  --aliases <a,b>       other names the type is known by
  --driver <package>    npm package of the native driver (imported lazily)
  --jdbc-driver <cls>   Spark JDBC driver class (jdbc family)
  --subprotocol <p>     JDBC subprotocol (default: the name)
  --port <n>            default port
  --description <text>  one line for package.json and the README
  --capabilities <a,b>  what the generated test declares to testConnector (${KNOWN_CAPABILITIES.join(', ')});
                        package.json lists none: core derives capabilities from the class
  --class-name <Name>   class name (default <Name>Connection)
  --spark-format <f>    Spark data source (warehouse, table_format)
  --root <dir>          workspace root (default: this repository)
  --dry-run             print the files instead of writing them
  -h, --help            show this help`;
}

/** The command line; returns the exit code. */
export function runCli(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void } = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        family: { type: 'string' },
        aliases: { type: 'string' },
        driver: { type: 'string' },
        'jdbc-driver': { type: 'string' },
        subprotocol: { type: 'string' },
        port: { type: 'string' },
        description: { type: 'string' },
        capabilities: { type: 'string' },
        'class-name': { type: 'string' },
        'spark-format': { type: 'string' },
        root: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${usage()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${usage()}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(`error: expected one connector name, got ${positionals.length}\n${usage()}\n`);
    return 2;
  }
  const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);
  try {
    const port = values.port === undefined ? undefined : Number(values.port);
    const result = generateConnector(
      {
        name: positionals[0]!,
        family: values.family,
        aliases: list(values.aliases),
        driver: values.driver,
        jdbcDriver: values['jdbc-driver'],
        subprotocol: values.subprotocol,
        port,
        description: values.description,
        capabilities: list(values.capabilities),
        className: values['class-name'],
        sparkFormat: values['spark-format'],
      },
      { root: values.root, dryRun: values['dry-run'] },
    );
    if (values['dry-run']) {
      for (const file of result.files) io.stdout(`--- ${file.path}\n${file.content}\n`);
      return 0;
    }
    io.stdout(`Created ${result.packageName}:\n${result.files.map((f) => `  ${f.path}`).join('\n')}\n\nNext:\n${result.nextSteps.map((s, i) => `  ${i + 1}. ${s}`).join('\n')}\n`);
    return 0;
  } catch (error) {
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof GeneratorError ? 2 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `--dry-run | head`: stop quietly when the reader goes away.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  process.exitCode = runCli(process.argv.slice(2));
}
