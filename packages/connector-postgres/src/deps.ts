/**
 * Heavy dependencies (pg, pg-copy-streams, apache-arrow) are imported here, on first use, so
 * importing the connector costs nothing until a connection actually opens.
 */
import { MissingDriverError } from '@sparkle/core';

export type ArrowModule = typeof import('apache-arrow');
export type PgModule = typeof import('pg');
export type CopyStreamsModule = typeof import('pg-copy-streams');

export interface Drivers {
  arrow: ArrowModule;
  pg: PgModule;
  copy: CopyStreamsModule;
}

let loading: Promise<Drivers> | undefined;

async function importOrExplain<T>(specifier: string, commonJs: boolean): Promise<T> {
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as T & { default?: T };
    // CommonJS packages (pg, pg-copy-streams) arrive as `{ default: module.exports }` under ESM.
    return (commonJs && mod.default ? mod.default : mod) as T;
  } catch (cause) {
    throw new MissingDriverError('postgres', specifier, cause);
  }
}

/** Loads the driver modules once per process. */
export function loadDrivers(): Promise<Drivers> {
  loading ??= (async () => {
    const [arrow, pg, copy] = await Promise.all([
      importOrExplain<ArrowModule>('apache-arrow', false),
      importOrExplain<PgModule>('pg', true),
      importOrExplain<CopyStreamsModule>('pg-copy-streams', true),
    ]);
    return { arrow, pg, copy };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
