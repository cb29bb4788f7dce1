/** Types of the config loader (DESIGN.md §2). */

/** Which layer supplied a resolved value. */
export type ConfigLayer = 'common' | 'env' | 'code' | 'default';

/** Where one resolved key came from. */
export interface Provenance {
  layer: ConfigLayer;
  /** The JSON file that supplied the value (common/env layers). */
  file?: string;
  /** Environment variables interpolated into the value (`${VAR}`), with whether a default was used. */
  envVars?: EnvVarUse[];
}

/**
 * One `${VAR}` reference resolved into a value. `source` says where the value came from:
 * the process environment (or `LoadConfigOptions.variables`), a `.env` file (`file` names it),
 * or `'default'` when the variable was unset or empty and `${VAR:-default}` supplied the text.
 */
export interface EnvVarUse {
  name: string;
  usedDefault: boolean;
  source: 'process' | 'dotenv' | 'default';
  /** The `.env` file that supplied the value, when `source` is `'dotenv'`. */
  file?: string;
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
  /** The config root (`configDir` option, `SPARKLE_CONFIG_DIR` or `./config`), absolute. */
  root?: string;
  /**
   * The `<env>.json` path that was expected but absent. Loading still succeeds when
   * `common.json` exists (an env with nothing to override needs no file); `config show` and
   * `lint` surface this so a misspelt env name does not go unnoticed.
   */
  missingEnvFile?: string;
  /** `.env` files that were read, in increasing precedence. */
  dotenvFiles?: string[];
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
  /** Working directory for the relative defaults (`./config`, `./.env`); default `process.cwd()`. */
  cwd?: string;
}

/** A `${VAR}` reference with no value and no default (see `findUnsetVariables`). */
export interface UnsetVariable {
  name: string;
  /** JSON path of the value that references it, `$.password`. */
  path: string;
  /** The file holding the reference; undefined for config passed in code. */
  file?: string;
}
