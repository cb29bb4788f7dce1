/** The `sparkle` command: dispatch, help, and the one place failures become exit codes. */
import { closest } from '@sparkle/core';
import { configCommand } from './commands/config-show.js';
import { copyCommand } from './commands/copy.js';
import { cleanCommand } from './commands/clean.js';
import { lintCommand } from './commands/lint.js';
import { listCommand } from './commands/list.js';
import { testCommand } from './commands/test.js';
import type { Command } from './commands/types.js';
import { describeError, environmentSecrets, EXIT, exitCodeFor } from './errors.js';
import { processIO, type CliIO } from './io.js';
import { Output } from './output.js';
import packageJson from '../package.json' with { type: 'json' };

/** Every sub-command, in the order `sparkle --help` lists them. */
export const COMMANDS: readonly Command[] = [listCommand, testCommand, configCommand, lintCommand, copyCommand, cleanCommand];

/** The CLI's version (the bundler inlines the package.json field). */
const VERSION: string = packageJson.version;

function globalUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `Usage: sparkle <command> [options]

Sparkle connections from the command line: what is installed, whether it is healthy, what its
config resolves to, and moving a table from one system to another.

Commands:
${COMMANDS.map((c) => `  ${(c.name === 'config' ? 'config show' : c.name).padEnd(width + 5)}${c.summary}`).join('\n')}

Options for every command:
  -r, --require <m>   import a module first (registers custom connections); repeatable
  -h, --help          help for a command: sparkle <command> --help
  --version           print the version

Environment: SPARKLE_CONFIG_DIR, SPARKLE_ENV, SPARKLE_PLUGIN_PATH, OPENLINEAGE_* (lineage),
NO_COLOR, SPARKLE_DEBUG=1 (stack traces on errors).`;
}

/**
 * Lets `--require <m>` come before the command (`sparkle -r ./my-conn.js test mydb`) by moving
 * leading occurrences after the command name, where the command's parser reads them.
 */
function hoistGlobalOptions(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if ((arg === '--require' || arg === '-r') && i + 1 < argv.length) {
      leading.push(arg, argv[i + 1]!);
      i += 2;
    } else if (arg.startsWith('--require=')) {
      leading.push(arg);
      i += 1;
    } else break;
  }
  const [name, ...rest] = argv.slice(i);
  return name === undefined ? [...argv.slice(i)] : [name, ...leading, ...rest];
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code: 0 ok,
 * 1 unhealthy / lint errors / failed copy, 2 usage or config errors. Never throws.
 *
 * @example
 * ```ts
 * import { main } from '@sparkle/cli';
 * const out: string[] = [];
 * const code = await main(['list', '--json'], { stdout: { write: (s) => out.push(s) }, stderr: process.stderr, env: process.env, cwd: process.cwd() });
 * ```
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const out = new Output(io);
  const [name, ...rest] = hoistGlobalOptions(argv);
  try {
    if (name === undefined) {
      // No command is a usage error: the help goes to stderr so a script's stdout stays empty.
      out.note(globalUsage());
      return EXIT.usage;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      out.line(topic ? topic.usage : globalUsage());
      return EXIT.ok;
    }
    if (name === '--version' || name === '-v') {
      out.line(VERSION);
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      // A typo (`lsit`, `tset`) first; otherwise commands sharing the first letters.
      const typo = closest(name, COMMANDS.map((c) => c.name));
      const near = typo ? [`'${typo}'`] : COMMANDS.filter((c) => c.name.startsWith(name.slice(0, 2)) || name.startsWith(c.name)).map((c) => `'${c.name}'`);
      out.note(`error: Unknown command '${name}'.${near.length ? ` Did you mean ${near.join(', ')}?` : ''}`);
      out.note("hint: run 'sparkle --help' to list the commands");
      return EXIT.usage;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      out.line(command.usage);
      return EXIT.ok;
    }
    return await command.run([...rest], { io, out });
  } catch (error) {
    for (const line of describeError(error, { debug: io.env.SPARKLE_DEBUG === '1', secrets: environmentSecrets(io.env) })) out.note(line);
    return exitCodeFor(error);
  }
}
