/**
 * `ensureService(name)`: provides a real peer server for a package's tests by running the
 * repository's `tools/services/ensure-<name>.sh` (see tools/services/README.md), which installs,
 * starts and waits for it on loopback, and prints `export VAR=value` lines. Those lines are parsed
 * into `process.env` (so test workers forked afterwards see them) and returned.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectionFailedError, InvalidArgumentError, TimeoutError } from '@sparkle/core';

/** Options of {@link ensureService}. */
export interface EnsureServiceOptions {
  /**
   * The repository root holding `tools/services/`. Default: the first directory holding
   * `tools/services/ensure-<name>.sh` found walking up from `cwd`, then from this package.
   */
  repoRoot?: string;
  /** Where the upward search starts. Default: `process.cwd()`. */
  cwd?: string;
  /** Bound on the whole script, installs included. Default: 15 minutes. */
  timeoutMs?: number;
  /** Also set the parsed variables in `process.env` (default true). */
  setEnv?: boolean;
  /** Where the script's progress messages (its stderr) go. Default: `process.stderr`. */
  log?: (chunk: string) => void;
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The directory above `from` (itself included) that holds `tools/services/<file>`, if any.
 * @example
 * findServicesRoot(process.cwd(), 'ensure-redis.sh'); // '/work/sparkle'
 */
export function findServicesRoot(from: string, file = 'lib.sh'): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'tools', 'services', file))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** This module's directory, in the ESM build, the CJS build (tsup shims it) and the sources. */
function moduleDir(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * Parses the `export VAR=value` lines an ensure script prints (values quoted as bash's
 * `printf %q` does: plain words with backslash escapes, `'…'`, `"…"` or `$'…'`). Other lines are
 * ignored.
 * @example
 * parseExportLines("export A=1\nexport B='two words'\n"); // { A: '1', B: 'two words' }
 */
export function parseExportLines(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) vars[match[1]!] = unquote(match[2]!.trimEnd());
  }
  return vars;
}

const ANSI_C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** One shell word → its value (the quoting forms `printf %q` produces). */
function unquote(word: string): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    const c = word[i]!;
    if (c === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) throw new InvalidArgumentError(`Unterminated ' in an export line: ${word}`);
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (c === '$' && word[i + 1] === "'") {
      i += 2;
      while (i < word.length && word[i] !== "'") {
        if (word[i] === '\\') {
          const next = word[i + 1] ?? '';
          if (next === 'x') {
            const hex = /^[0-9a-fA-F]{1,2}/.exec(word.slice(i + 2))?.[0] ?? '';
            out += String.fromCharCode(parseInt(hex || '0', 16));
            i += 2 + hex.length;
          } else if (/[0-7]/.test(next)) {
            const oct = /^[0-7]{1,3}/.exec(word.slice(i + 1))![0];
            out += String.fromCharCode(parseInt(oct, 8));
            i += 1 + oct.length;
          } else {
            out += ANSI_C_ESCAPES[next] ?? `\\${next}`;
            i += 2;
          }
        } else {
          out += word[i];
          i += 1;
        }
      }
      i += 1;
    } else if (c === '"') {
      i += 1;
      while (i < word.length && word[i] !== '"') {
        if (word[i] === '\\' && /["\\$`]/.test(word[i + 1] ?? '')) i += 1;
        out += word[i];
        i += 1;
      }
      i += 1;
    } else if (c === '\\') {
      out += word[i + 1] ?? '';
      i += 2;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/**
 * Provides the real `name` server for tests: runs `tools/services/ensure-<name>.sh` (installs it
 * from its registry when missing, starts it on 127.0.0.1, waits until it answers; idempotent and
 * locked, so every package may call it at once), sets the variables it prints in `process.env`
 * and returns them. Rejects with a {@link ConnectionFailedError} carrying the script's last
 * output when the service cannot be had. What the script started is stopped by
 * `tools/services/stop-all.sh` at the end of the suite, not here.
 *
 * @example
 * ```ts
 * // packages/connector-redis/test/global-setup.ts (vitest `globalSetup`)
 * import { ensureService } from '@sparkle/testkit';
 * export default async function setup() {
 *   await ensureService('redis'); // sets SPARKLE_TEST_REDIS_URL=redis://127.0.0.1:6379
 * }
 * ```
 */
export async function ensureService(name: string, options: EnsureServiceOptions = {}): Promise<Record<string, string>> {
  if (!SERVICE_NAME.test(name)) throw new InvalidArgumentError(`Service name '${name}' is not a tools/services/ensure-<name>.sh name (lower-case letters, digits, '-').`);
  const file = `ensure-${name}.sh`;
  const here = moduleDir();
  const root = options.repoRoot ?? findServicesRoot(options.cwd ?? process.cwd(), file) ?? (here ? findServicesRoot(here, file) : undefined);
  const script = root ? join(root, 'tools', 'services', file) : undefined;
  if (!script || !existsSync(script)) {
    throw new InvalidArgumentError(`No tools/services/${file} above ${options.cwd ?? process.cwd()}: add the script (see tools/services/README.md) or pass repoRoot.`, { connector: name });
  }
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const log = options.log ?? ((chunk: string) => process.stderr.write(chunk));

  const { code, stdout, stderr, timedOut } = await new Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>((resolvePromise, reject) => {
    const child = spawn('bash', [script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      log(chunk);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new ConnectionFailedError(`Could not run ${script}: ${error.message}`, { connector: name, cause: error }));
    });
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({ code: exitCode, stdout: out, stderr: err, timedOut: expired });
    });
  });

  const tail = stderr.trim().split('\n').slice(-15).join('\n');
  if (timedOut) throw new TimeoutError(`${script} did not finish within ${timeoutMs} ms; its last output:\n${tail}`, { connector: name, details: { script } });
  if (code !== 0) throw new ConnectionFailedError(`${script} failed (exit ${code}); its last output:\n${tail}`, { connector: name, details: { script, exitCode: code } });

  const vars = parseExportLines(stdout);
  if (options.setEnv !== false) Object.assign(process.env, vars);
  return vars;
}
