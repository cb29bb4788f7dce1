/** Looking up a connector's class (for its schema) without failing when it is not installed. */
import { resolveConnectionType, SparkleError, type ConnectionClass } from '@sparkle/core';

/** A connector's config schema (zod), typed through core so the CLI needs no zod dependency. */
export type ConfigSchema = NonNullable<ConnectionClass['schema']>;

export interface ConnectorInfo {
  /** Canonical type (or the name as given, when the connector is not installed). */
  type: string;
  aliases: string[];
  schema?: ConfigSchema;
  connectionClass?: ConnectionClass;
  /** Set when the connector is not installed: the error that said so. */
  missing?: SparkleError;
}

/**
 * Resolves a type or alias to its class. An unknown type or a missing driver package is
 * returned as `missing` rather than thrown, so config can still be shown and linted.
 */
export async function findConnector(name: string): Promise<ConnectorInfo> {
  try {
    const entry = await resolveConnectionType(name);
    const schema = entry.connectionClass.schema;
    return { type: entry.type, aliases: [...new Set([name, ...entry.aliases])].filter((a) => a !== entry.type), schema, connectionClass: entry.connectionClass };
  } catch (error) {
    if (SparkleError.isInstance(error) && (error.code === 'UNKNOWN_CONNECTION_TYPE' || error.code === 'MISSING_DRIVER')) {
      return { type: name, aliases: [], missing: error };
    }
    throw error;
  }
}
