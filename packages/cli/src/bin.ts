#!/usr/bin/env node
/** The `sparkle` executable. */
import { processIO } from './io.js';
import { main } from './main.js';

// `sparkle list --json | head`: a reader that goes away is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The first Ctrl-C aborts the running operation cleanly (a copy rolls back its staging table);
// a second one exits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', () => process.exit(130));
});

/**
 * How long the process may outlive its command. When main() has returned, the command's work is
 * done (its connections closed, lineage flushed or given up within its own bound); what can
 * still hold the event loop is a driver's socket that ignores cancellation — a connect to a
 * server that never answers waits out the driver's own timeout. `--timeout` promises to bound
 * the whole command, so the process ends once output is flushed and this grace has passed.
 */
const EXIT_GRACE_MS = 250;

function exitWhenIdle(): void {
  // Flush both streams first (pipes are asynchronous), then give the loop a moment to drain by
  // itself; the timer is unref'd so a process that is already idle exits at once.
  let pending = 2;
  const flushed = () => {
    if (--pending === 0) setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}

main(process.argv.slice(2), { ...processIO(), signal: interrupt.signal }).then(
  (code) => {
    process.exitCode = interrupt.signal.aborted && code !== 0 ? 130 : code;
    exitWhenIdle();
  },
  (error: unknown) => {
    // main() never throws; this is the last line of defence, without a stack trace.
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    exitWhenIdle();
  },
);
