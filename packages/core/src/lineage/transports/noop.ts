import type { LineageTransport } from './types.js';

/** Drops every event: lineage off (`type: none`, `OPENLINEAGE_DISABLED=true`). */
export class NoopTransport implements LineageTransport {
  readonly kind = 'noop';
  async emit(): Promise<void> {}
}
