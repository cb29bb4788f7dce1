import type { RunEvent } from '../event.js';

/**
 * Where events go. `emit` may reject; the client catches every failure and reports it through
 * its warning callback, so a lineage backend outage never fails a read or write.
 */
export interface LineageTransport {
  /** `console`, `file`, `http`, `composite`, `noop`. */
  readonly kind: string;
  emit(event: RunEvent): Promise<void>;
  /** Releases resources (file handles, sockets). Called once by `client.close()`. */
  close?(): Promise<void>;
}

/** Serialises an event to one line of JSON (no newline inside: JSON escapes them). */
export function eventLine(event: RunEvent): string {
  return JSON.stringify(event);
}
