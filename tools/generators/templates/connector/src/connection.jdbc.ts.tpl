// {{banner}}
/**
 * `{{className}}`: {{description}}. The JDBC family base (`JDBCConnection`) does the work —
 * URL parsing, Spark JDBC options, stride partitioning, atomic staging writes, health tiers;
 * this class adds the facts of this database and its driver glue.
 */
import { z } from 'zod';
import { JDBCConnection, jdbcConfigSchema, type ErrorHints, type JdbcDefaults, type JdbcSession } from '@sparkle/core';

/** Config: the JDBC shape (url | host/port/database, user, secret password, properties, …). */
export const {{schemaName}} = jdbcConfigSchema.extend({});

export type {{configTypeName}} = z.output<typeof {{schemaName}}>;

/**
 * The `{{type}}` connection.
 *
 * @example
 * ```ts
 * const conn = new {{className}}({ type: '{{type}}', config: { host: 'db.internal', database: 'app', user: 'me' } });
 * conn.sparkRead('orders', {}).options.driver; // '{{jdbcDriver}}'
 * ```
 */
export class {{className}} extends JDBCConnection<{{configTypeName}}> {
  static override schema: z.ZodType = {{schemaName}};
  static override description = '{{description}}';
  static override jdbc: JdbcDefaults = { driver: '{{jdbcDriver}}', subprotocol: '{{subprotocol}}',{{defaultPortField}} lineageScheme: '{{type}}' };
  /** Driver error codes: which mean "wrong credentials" and which are worth a retry. TODO: fill in. */
  static override errorHints: ErrorHints = { authCodes: [], retryableCodes: [] };
{{#driver}}
  /** Imported on first connect (`importDriver`), so Spark-only use needs no driver. */
  static override driverPackage = '{{driver}}';

  /**
   * Logs in with `{{driver}}` and returns the session glue; the base then applies setup
   * statements, `isolationLevel` and `sessionInitStatement`.
   */
  protected override async connectSession(): Promise<JdbcSession> {
    const driver = await this.importDriver<Record<string, unknown>>('connect'); // the export the driver logs in with
    void driver;
    // TODO: connect with this.connectionInfo() and return a JdbcSession: queryArrow (stream
    // Arrow batches, never buffer the whole result), queryRows, execute, bulkInsert (the
    // database's fastest bulk path — see insertInChunks/parameterizedInsertSql in core), close.
    return super.connectSession();
  }

{{^driver}}
  // No Node driver: the native path stays unsupported (JDBCConnection's openSession says so)
  // and the connection works through Spark. Override openSession() when a driver exists.
{{/driver}}
}
