/**
 * What every command needs before it runs: custom connection modules imported (`--require`),
 * installed connector packages discovered, and the config root resolved against the CLI's
 * working directory.
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { discoverConnectors, resolveConfigRoot } from '@sparkle/core';
import { UsageError } from './errors.js';
import type { CliIO } from './io.js';

/**
 * Imports each `--require` module (a path relative to the working directory, or a package name
 * resolved from it). Modules register their connection classes as a side effect.
 */
export async function loadRequiredModules(modules: readonly string[] | undefined, io: CliIO): Promise<void> {
  for (const specifier of modules ?? []) {
    const isPath = specifier.startsWith('.') || isAbsolute(specifier);
    let url: string;
    if (isPath) {
      url = pathToFileURL(resolve(io.cwd, specifier)).href;
    } else {
      try {
        url = pathToFileURL(createRequire(join(io.cwd, 'noop.js')).resolve(specifier)).href;
      } catch {
        // ESM-only packages have no `require` condition: let import() resolve the bare name.
        url = specifier;
      }
    }
    try {
      await import(url);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
      throw new UsageError(`Cannot load --require module '${specifier}': ${reason}`, 'give a path relative to the working directory or an installed package name');
    }
  }
}

/** The directory of this CLI's own installation, so connectors installed beside it are found. */
function cliDirectory(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * Registers installed connector packages (lazily: only their package.json is read) from the
 * working directory, `SPARKLE_PLUGIN_PATH`, and the CLI's own installation.
 */
export function discoverInstalled(io: CliIO): void {
  const startDirs = [io.cwd, ...(io.env.SPARKLE_PLUGIN_PATH?.split(':').filter(Boolean) ?? [])];
  const own = cliDirectory();
  if (own) startDirs.push(own);
  discoverConnectors({ startDirs, force: true });
}

/** Runs `--require` imports, then plugin discovery. */
export async function prepareRegistry(requires: readonly string[] | undefined, io: CliIO): Promise<void> {
  await loadRequiredModules(requires, io);
  discoverInstalled(io);
}

/** The absolute config root: `--config-dir`, then `SPARKLE_CONFIG_DIR`, then `./config`. */
export function configRoot(flag: string | undefined, io: CliIO): string {
  return resolveConfigRoot(flag, io.env, io.cwd);
}

/** The env: `--env`, then `SPARKLE_ENV`, then `dev`. */
export function envName(flag: string | undefined, io: CliIO): string {
  return flag ?? (io.env.SPARKLE_ENV || 'dev');
}
