// {{banner}}
/**
 * `{{className}}`: {{description}}. The JDBC family base (`JDBCConnection`) does the work —
 * URL parsing, Spark JDBC options, stride partitioning, atomic staging writes, health tiers;
 * this class adds the facts of this database and its driver glue.
 */
import { z } from 'zod';
import { JDBCConnection, jdbcConfigSchema, MissingDriverError, type ErrorHints, type JdbcDefaults, type JdbcSession } from '@sparkle/core';

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

  /** Opens a native session with `{{driver}}`, imported on first connect so Spark-only use needs no driver. */
  protected override async openSession(): Promise<JdbcSession> {
    try {
      await import('{{driver}}');
    } catch (cause) {
      throw new MissingDriverError(this.type, '{{driver}}', cause);
    }
    // TODO: connect with this.connectionInfo() and return a JdbcSession: queryArrow (stream
    // Arrow batches, never buffer the whole result), queryRows, execute, bulkInsert (the
    // database's fastest bulk path), close.
    return super.openSession();
  }
{{/driver}}
{{^driver}}
  // No Node driver: the native path stays unsupported (JDBCConnection's openSession says so)
  // and the connection works through Spark. Override openSession() when a driver exists.
{{/driver}}
}
