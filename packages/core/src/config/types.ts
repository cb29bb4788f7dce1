/** Types of the config loader (DESIGN.md §2). */

/** Which layer supplied a resolved value. */
export type ConfigLayer = 'common' | 'env' | 'code' | 'default';

/** Where one resolved key came from. */
export interface Provenance {
  layer: ConfigLayer;
  /** The JSON file that supplied the value (common/env layers). */
  file?: string;
  /** Environment variables interpolated into the value (`${VAR}`), with whether a default was used. */
  envVars?: Array<{ name: string; usedDefault: boolean; source: 'process' | 'dotenv' }>;
}

/** The raw, merged and interpolated config of one connection, before schema validation. */
export interface ResolvedConfig {
  /** Canonical connection type. */
  type: string;
  env: string;
  /** Merged values (common deep-merged with env; or the code-supplied config). */
  values: Record<string, unknown>;
  /** Provenance per JSON path (`properties.ssl`, `hosts[0]`). */
  provenance: Record<string, Provenance>;
  /** Files read, in merge order. Empty when config came from code. */
  files: string[];
  /** The `connections/` directory searched, when files were used. */
  directory?: string;
}

export interface LoadConfigOptions {
  /** Canonical connection type (directory name under `connections/`). */
  type: string;
  /** Other names to look for a directory under (aliases the user typed). */
  aliases?: readonly string[];
  /** Environment name; default `SPARKLE_ENV`, then `dev`. Must be a plain identifier. */
  env?: string;
  /** Config root: the option, then `SPARKLE_CONFIG_DIR`, then `./config`. */
  configDir?: string;
  /** Config passed in code: skips files (still interpolated). */
  config?: Record<string, unknown>;
  /** Variables for `${VAR}`; default `process.env`. */
  variables?: Record<string, string | undefined>;
  /** A `.env` file to read (default: `.env` in the working directory and in the config root, if present); `false` disables. */
  dotenv?: string | false;
}
