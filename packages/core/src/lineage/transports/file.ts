import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunEvent } from '../event.js';
import { eventLine, type LineageTransport } from './types.js';

export interface FileTransportOptions {
  /** The NDJSON file (`log_file_path` in openlineage.yml); parent directories are created. */
  path: string;
  /**
   * `true` (default here): append every event as one line to `path`.
   * `false`: OpenLineage's other mode — one file per event named `{path}-{timestamp}-{n}.json`.
   */
  append?: boolean;
}

/**
 * Writes events as newline-delimited JSON.
 * @example
 * const client = createLineageClient({ transport: new FileTransport({ path: './lineage/events.ndjson' }) });
 */
export class FileTransport implements LineageTransport {
  readonly kind = 'file';
  readonly path: string;
  readonly append: boolean;
  #dirReady: Promise<unknown> | undefined;
  #seq = 0;

  constructor(options: FileTransportOptions) {
    this.path = options.path;
    this.append = options.append ?? true;
  }

  async emit(event: RunEvent): Promise<void> {
    // Created once, on the first event, so configuring a file transport has no side effects.
    this.#dirReady ??= mkdir(dirname(this.path), { recursive: true }).catch((error: unknown) => {
      this.#dirReady = undefined; // try again on the next event (the directory may appear)
      throw error;
    });
    await this.#dirReady;
    const line = `${eventLine(event)}\n`;
    if (this.append) {
      // One appendFile per event: a single O_APPEND write, so lines from concurrent processes do not interleave.
      await appendFile(this.path, line, 'utf8');
    } else {
      const stamp = event.eventTime.replace(/[:.]/g, '-');
      await writeFile(`${this.path}-${stamp}-${++this.#seq}.json`, line, { encoding: 'utf8', flag: 'wx' });
    }
  }
}
