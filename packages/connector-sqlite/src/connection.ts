/**
 * `SQLiteConnection`: a SQLite database file through Spark's JDBC source (`org.sqlite.JDBC`)
 * or, locally, better-sqlite3.
 */
import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import {
  ConnectionFailedError,
  InvalidArgumentError,
  JDBCConnection,
  jdbcConfigSchema,
  MissingDriverError,
  type ConnectionInit,
  type DatasetRef,
  type JdbcConfig,
  type JdbcDialect,
  type JdbcSession,
} from '@sparkle/core';
import { sqliteDialect } from './dialect.js';
import type { SqliteModules } from './session.js';

/** SQLite config: the JDBC shape (`url: jdbc:sqlite:/path/file.db`) or `path` / `database`. */
export const sqliteConfigSchema = jdbcConfigSchema.extend({
  /** Database file, or `:memory:`. */
  path: z.string().min(1).optional(),
  /** Open read-only. */
  readonly: z.coerce.boolean().default(false),
  /** Create the file when it does not exist (writes to a new database). Default true. */
  create: z.coerce.boolean().default(true),
  /** Milliseconds to wait on a locked database. */
  busyTimeoutMs: z.coerce.number().int().nonnegative().default(5000),
});

export type SqliteConfig = z.output<typeof sqliteConfigSchema>;

let modules: Promise<SqliteModules> | undefined;

/** better-sqlite3, apache-arrow and the engine's batch builder, loaded on first use. */
function loadModules(): Promise<SqliteModules> {
  modules ??= (async () => {
    let Database: SqliteModules['Database'];
    try {
      const mod = (await import('better-sqlite3')) as unknown as { default: SqliteModules['Database'] };
      Database = mod.default;
    } catch (cause) {
      throw new MissingDriverError('sqlite', 'better-sqlite3', cause);
    }
    const [arrow, engine] = await Promise.all([import('apache-arrow'), import('@sparkle/engine-local')]);
    return { Database, arrow, engine };
  })();
  modules.catch(() => {
    modules = undefined;
  });
  return modules;
}

/**
 * A SQLite connection (type `sqlite`).
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-sqlite';
 *
 * await using db = await getConnection('sqlite', { config: { url: 'jdbc:sqlite:/tmp/demo.db' } });
 * await db.writeTable([{ id: 1, name: 'Ada' }], 'people', { mode: 'overwrite' });
 * ```
 */
export class SQLiteConnection extends JDBCConnection {
  static override schema: z.ZodType = sqliteConfigSchema;
  static override description = 'SQLite (JDBC for Spark; better-sqlite3 locally)';
  static override jdbc = { driver: 'org.sqlite.JDBC', subprotocol: 'sqlite', lineageScheme: 'sqlite' };
  static override errorHints = {
    authCodes: ['SQLITE_AUTH'],
    retryableCodes: ['SQLITE_BUSY', 'SQLITE_LOCKED'],
  };

  constructor(init: ConnectionInit) {
    super(init);
    this.databasePath();
  }

  override get dialect(): JdbcDialect {
    return sqliteDialect;
  }

  protected override allowsNoHost(): boolean {
    return true;
  }

  /** The database file (absolute) or `:memory:`, from `path`, `database` or the JDBC URL. */
  databasePath(): string {
    const c = this.config as unknown as SqliteConfig;
    const raw = c.path ?? c.database ?? this.urlParts()?.path;
    if (!raw) {
      throw new InvalidArgumentError("The sqlite connection needs 'url' (jdbc:sqlite:/path/file.db), 'path' or 'database'", { connector: this.type });
    }
    const file = raw.startsWith('file:') ? raw.slice(5) : raw;
    return file === ':memory:' || file === '' ? ':memory:' : resolve(file);
  }

  override jdbcUrl(): string {
    const c = this.config as JdbcConfig;
    return c.url ?? `jdbc:sqlite:${this.databasePath()}`;
  }

  override dataset(table: string): DatasetRef {
    // OpenLineage has no SQLite convention; the file is the natural namespace, like a file dataset.
    const path = this.databasePath();
    return { namespace: path === ':memory:' ? 'sqlite:memory' : `sqlite://${path}`, name: this.tableParts(table).join('.') };
  }

  protected override async openSession(): Promise<JdbcSession> {
    const mods = await loadModules();
    const c = this.config as unknown as SqliteConfig;
    const path = this.databasePath();
    const db = new mods.Database(path, { readonly: c.readonly, fileMustExist: !c.create || c.readonly, timeout: c.busyTimeoutMs });
    if (path !== ':memory:' && !c.readonly) db.pragma('journal_mode = WAL');
    if (c.sessionInitStatement) db.exec(c.sessionInitStatement);
    const { SqliteSession } = await import('./session.js');
    return new SqliteSession(mods, db);
  }

  /** The file must exist and be readable (a new file is created only by writes). */
  protected override async checkAuth(): Promise<string> {
    const path = this.databasePath();
    if (path === ':memory:') return 'in-memory database (nothing to open)';
    try {
      await access(path, constants.R_OK);
    } catch (cause) {
      throw new ConnectionFailedError(`SQLite database file ${path} does not exist or is not readable`, { connector: this.type, cause, retryable: false });
    }
    return `${path} is readable`;
  }
}
