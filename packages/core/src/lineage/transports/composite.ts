import type { RunEvent } from '../event.js';
import type { LineageTransport } from './types.js';

export interface CompositeTransportOptions {
  transports: LineageTransport[];
  /** Keep sending to the remaining transports after one fails (default true, as in OpenLineage). */
  continueOnFailure?: boolean;
  /** Keep sending after one succeeds (default true); `false` makes later transports fallbacks. */
  continueOnSuccess?: boolean;
}

/**
 * Sends each event to several transports in order.
 * @example
 * new CompositeTransport({ transports: [new FileTransport({ path: 'ol.ndjson' }), new HttpTransport({ url })] });
 */
export class CompositeTransport implements LineageTransport {
  readonly kind = 'composite';
  readonly transports: readonly LineageTransport[];
  readonly #continueOnFailure: boolean;
  readonly #continueOnSuccess: boolean;

  constructor(options: CompositeTransportOptions) {
    this.transports = options.transports;
    this.#continueOnFailure = options.continueOnFailure ?? true;
    this.#continueOnSuccess = options.continueOnSuccess ?? true;
  }

  async emit(event: RunEvent): Promise<void> {
    const errors: unknown[] = [];
    for (const transport of this.transports) {
      try {
        await transport.emit(event);
        if (!this.#continueOnSuccess) return;
      } catch (error) {
        errors.push(error);
        if (!this.#continueOnFailure) break;
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} of ${this.transports.length} lineage transports failed`);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.transports.map((t) => t.close?.()));
  }
}
