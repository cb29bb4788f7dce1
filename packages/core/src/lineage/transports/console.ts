import type { RunEvent } from '../event.js';
import { eventLine, type LineageTransport } from './types.js';

export interface ConsoleTransportOptions {
  /** Stream for the JSON lines; default `stdout`. Ignored when `write` is given. */
  stream?: 'stdout' | 'stderr';
  /** A logger function receiving each event as one line of JSON (no trailing newline). */
  write?: (line: string) => void;
}

/**
 * Prints each event as one line of JSON.
 * @example
 * const client = createLineageClient({ transport: new ConsoleTransport({ stream: 'stderr' }) });
 */
export class ConsoleTransport implements LineageTransport {
  readonly kind = 'console';
  readonly #write: (line: string) => void;

  constructor(options: ConsoleTransportOptions = {}) {
    const stream = options.stream ?? 'stdout';
    this.#write = options.write ?? ((line) => void process[stream].write(`${line}\n`));
  }

  async emit(event: RunEvent): Promise<void> {
    this.#write(eventLine(event));
  }
}
