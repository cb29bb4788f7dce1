/**
 * @sparkle/cli — the `sparkle` command as a library: `main(argv, io)` runs it in-process with
 * injectable streams and environment (tests, embedding), and the commands' JSON result types
 * are exported for scripts that consume `--json` output.
 *
 * @example
 * ```ts
 * import { main } from '@sparkle/cli';
 * process.exitCode = await main(['test', 'postgres', '--env', 'prod']);
 * ```
 * @packageDocumentation
 */
export { main, COMMANDS } from './main.js';
export { processIO, type CliIO, type TextSink } from './io.js';
export { EXIT, UsageError, describeError, exitCodeFor } from './errors.js';
export { ProgressReporter, describeProgress, type ProgressReporterOptions } from './progress.js';
export { parseEndpoint, type Endpoint } from './commands/copy.js';
export type { Command, CommandContext } from './commands/types.js';
export type { ListedType } from './commands/list.js';
export type { TestResult } from './commands/test.js';
export type { ConfigShowResult } from './commands/config-show.js';
export type { LintProblem, LintResult } from './commands/lint.js';
export type { CopyResult } from './commands/copy.js';
