/**
 * The CLI's connection to the outside world, injectable so tests run `main()` in-process with
 * captured output and a private environment.
 */

/** A place the CLI writes text to (a stream, or a test buffer). */
export interface TextSink {
  write(text: string): unknown;
  /** True when the sink is an interactive terminal (progress bars, colours). */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** What `main()` reads and writes instead of `process`. */
export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
  /** Environment variables (for `${VAR}` interpolation, `SPARKLE_*`, `NO_COLOR`). */
  env: Record<string, string | undefined>;
  /** Working directory for relative paths (`./config`, `--require ./x.js`). */
  cwd: string;
  /** Aborts long operations (a copy) when it fires: the executable wires it to Ctrl-C. */
  signal?: AbortSignal;
}

/** The real process's streams, environment and working directory. */
export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
