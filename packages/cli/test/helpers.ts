/** Runs the CLI in-process with captured output, a private environment and working directory. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../src/index.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not JSON). */
  json<T = unknown>(): T;
}

export async function run(argv: string[], options: { env?: Record<string, string | undefined>; cwd?: string; tty?: boolean } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false },
    // A clean environment: no SPARKLE_* or OPENLINEAGE_* leaking in from the machine.
    env: { PATH: process.env.PATH, OPENLINEAGE_DISABLED: 'true', ...options.env },
    cwd: options.cwd ?? process.cwd(),
  });
  return {
    code,
    stdout,
    stderr,
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
      }
    },
  };
}

/**
 * A temporary directory with the given files (paths relative to it; objects are written as JSON;
 * a function receives the directory, for content that names absolute paths inside it).
 */
export function tempTree(files: Record<string, unknown>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sparkle-cli-'));
  for (const [rel, entry] of Object.entries(files)) {
    const content: unknown = typeof entry === 'function' ? (entry as (dir: string) => unknown)(dir) : entry;
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
