import type { CliIO } from '../io.js';
import type { Output } from '../output.js';

/** One `sparkle` sub-command. */
export interface Command {
  name: string;
  /** One line for `sparkle --help`. */
  summary: string;
  /** Full text for `sparkle <name> --help`. */
  usage: string;
  /** Runs the command; returns the exit code. Throws for usage and config errors. */
  run(argv: string[], context: CommandContext): Promise<number>;
}

export interface CommandContext {
  io: CliIO;
  out: Output;
}
