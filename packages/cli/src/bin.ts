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

main(process.argv.slice(2), { ...processIO(), signal: interrupt.signal }).then(
  (code) => {
    process.exitCode = interrupt.signal.aborted && code !== 0 ? 130 : code;
  },
  (error: unknown) => {
    // main() never throws; this is the last line of defence, without a stack trace.
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
