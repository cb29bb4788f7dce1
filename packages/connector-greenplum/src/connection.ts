/**
 * `GreenplumConnection`: a PostgreSQL connection with Greenplum's table distribution and the
 * Greenplum JDBC driver's URL form.
 */
import type { Schema } from 'apache-arrow';
import { z } from 'zod';
import { jdbcConfigSchema, quoteIdentifier, ANSI_QUOTES } from '@sparkle/core';
import { PostgreSQLConnection } from '@sparkle/connector-postgres';

/** The DataDirect-based Greenplum JDBC driver (optional; the PostgreSQL driver is the default). */
export const GREENPLUM_DRIVER = 'com.pivotal.jdbc.GreenplumDriver';

/** Config: the JDBC shape plus how created tables are distributed across segments. */
export const greenplumConfigSchema = jdbcConfigSchema.extend({
  /**
   * Distribution of tables Sparkle creates: column names (`DISTRIBUTED BY (…)`), `'RANDOMLY'`,
   * or `'REPLICATED'` (Greenplum 6+). Unset: Greenplum's default (first suitable column).
   */
  distributedBy: z.union([z.array(z.string().min(1)).min(1), z.enum(['RANDOMLY', 'REPLICATED'])]).optional(),
});

export type GreenplumConfig = z.output<typeof greenplumConfigSchema>;

/**
 * Greenplum Database (`greenplum`).
 *
 * @example
 * ```ts
 * const gp = new GreenplumConnection({ type: 'greenplum', config: { host: 'gp', database: 'dw', driver: GREENPLUM_DRIVER } });
 * gp.jdbcUrl(); // 'jdbc:pivotal:greenplum://gp:5432;DatabaseName=dw'
 * ```
 */
export class GreenplumConnection extends PostgreSQLConnection {
  static override description = 'Greenplum Database (Postgres wire protocol)';
  static override schema: z.ZodType = greenplumConfigSchema;
  static override jdbc = { driver: 'org.postgresql.Driver', subprotocol: 'postgresql', defaultPort: 5432, lineageScheme: 'postgres' };

  private get gpConfig(): GreenplumConfig {
    return this.config as GreenplumConfig;
  }

  /** With the Greenplum driver and no explicit url, Spark gets that driver's URL form. */
  override jdbcUrl(): string {
    const c = this.gpConfig;
    if (!c.url && c.driver === GREENPLUM_DRIVER) {
      const info = this.connectionInfo();
      return `jdbc:pivotal:greenplum://${info.host}:${info.port ?? 5432}${info.database ? `;DatabaseName=${info.database}` : ''}`;
    }
    return super.jdbcUrl();
  }

  /** `CREATE TABLE` plus the configured distribution clause. */
  override createTableSql(quotedTable: string, schema: Schema): string {
    const base = super.createTableSql(quotedTable, schema);
    const d = this.gpConfig.distributedBy;
    if (!d) return base;
    if (d === 'RANDOMLY') return `${base} DISTRIBUTED RANDOMLY`;
    if (d === 'REPLICATED') return `${base} DISTRIBUTED REPLICATED`;
    return `${base} DISTRIBUTED BY (${d.map((col) => quoteIdentifier(col, ANSI_QUOTES)).join(', ')})`;
  }
}
