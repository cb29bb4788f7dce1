/**
 * `SoapConnection` (type `soap`): operations of a WSDL described in config, read into Arrow from
 * a result path with a declared or inferred schema, writes that call an operation per record in
 * bounded batches, WS-Security UsernameToken, and SOAP Faults as typed errors. It sits on the API
 * family base for the shared fields, health tiers and redaction; calls go through the `soap` client.
 */
import type { RecordBatch } from 'apache-arrow';
import type { z } from 'zod';
import type * as Soap from 'soap';
import {
  APIConnection,
  ConfigError,
  getArrowToolkit,
  InvalidArgumentError,
  MissingDriverError,
  QueryError,
  resolveJsonPointer,
  UnsupportedOperationError,
  datasetNamespace,
  type DatasetRef,
  type Endpoint,
  type NativeReadPlan,
  type NativeWriteContext,
  type ReadTableOptions,
  type SparkReadSpec,
  type SparkWriteSpec,
  type WriteResult,
  type WriteTableOptions,
} from '@sparkle/core';
import { columnsFromConfig, jsonRecord, recordsReadPlan, sendBatches, type OutgoingBatch } from '@sparkle/connector-http';
import { soapConfigSchema, type SoapConfig, type SoapOperation, type SoapWrite } from './config.js';
import { soapError } from './errors.js';

type SoapClient = Soap.Client;
type Callback = (err: unknown, result: unknown) => void;
type OperationFn = (args: unknown, callback: Callback, options?: Record<string, unknown>) => unknown;

// The API base types its config with a required `baseUrl`; SOAP takes its address from the WSDL
// (or `endpoint`), and every base method that reads `baseUrl` is overridden here.
type SoapBaseConfig = SoapConfig & { baseUrl: string };

/**
 * A SOAP web service connection.
 *
 * @example
 * ```ts
 * import { getConnection } from '@sparkle/core';
 * import '@sparkle/connector-soap';
 *
 * await using crm = await getConnection('soap', { env: 'prod' }); // config/connections/soap/{common,prod}.json
 * const customers = await crm.readTable('customers');             // an operation's records as Arrow
 * await crm.writeTable([{ name: 'Ada' }], 'addCustomer', { mode: 'append' });
 * ```
 */
export class SoapConnection extends APIConnection<SoapBaseConfig> {
  static override schema: z.ZodType = soapConfigSchema;
  static override family = 'api';
  static override description = 'SOAP web services from a WSDL: operations read into Arrow from a result path; writes call an operation per record; WS-Security UsernameToken';
  /** `sparkRead` exists only to refuse with a pointer to the local engine (no Spark data source speaks SOAP). */
  static withoutCapabilities = ['spark'];
  #client: Promise<SoapClient> | undefined;

  /** The soap client of the WSDL (created once, with the endpoint override and WS-Security). */
  protected client(): Promise<SoapClient> {
    this.assertOpen();
    this.#client ??= this.#createClient();
    // A failed WSDL load is not cached: the next call tries again.
    this.#client.catch(() => (this.#client = undefined));
    return this.#client;
  }

  async #createClient(): Promise<SoapClient> {
    const c = this.config;
    let soap: typeof Soap;
    try {
      soap = await import('soap');
    } catch (error) {
      throw new MissingDriverError(this.type, 'soap', error);
    }
    let client: SoapClient;
    try {
      client = await soap.createClientAsync(c.wsdl, {
        ...(c.endpoint ? { endpoint: c.endpoint } : {}),
        wsdl_options: { timeout: c.timeoutMs },
        wsdl_headers: c.headers,
      });
    } catch (error) {
      const status = (error as { response?: { status?: number } }).response?.status;
      throw new ConfigError('CONFIG_INVALID', `soap: the WSDL ${c.wsdl} could not be loaded${status ? ` (HTTP ${status})` : ''}: ${this.redact(String((error as Error).message)).slice(0, 300)}. Check 'wsdl' (an http(s) URL or a file path)`, {
        connector: this.type,
        details: { wsdl: c.wsdl },
      });
    }
    for (const [k, v] of Object.entries(c.headers)) client.addHttpHeader(k, v);
    if (c.security) {
      client.setSecurity(new soap.WSSecurity(c.security.username, c.security.password, { passwordType: c.security.passwordType, hasTimeStamp: c.security.timestamp, hasTokenCreated: c.security.passwordType === 'PasswordDigest' }));
    }
    return client;
  }

  /** The operations the WSDL declares, as `Service.Port.Operation`. */
  async operationNames(): Promise<string[]> {
    const described = (await this.client()).describe() as Record<string, Record<string, Record<string, unknown>>>;
    return Object.entries(described).flatMap(([service, ports]) => Object.entries(ports).flatMap(([port, ops]) => Object.keys(ops).map((op) => `${service}.${port}.${op}`)));
  }

  private async operationFn(client: SoapClient, operation: string): Promise<OperationFn> {
    const parts = operation.split('.');
    const holder = client as unknown as Record<string, unknown>;
    let fn: unknown;
    if (parts.length === 3) fn = ((holder[parts[0]!] as Record<string, Record<string, unknown>> | undefined)?.[parts[1]!])?.[parts[2]!];
    else if (parts.length === 1 && typeof holder[`${operation}Async`] === 'function') fn = holder[operation];
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError(`soap: the WSDL ${this.config.wsdl} declares no operation '${operation}'; it declares ${(await this.operationNames()).join(', ')}`, { connector: this.type });
    }
    return fn as OperationFn;
  }

  /**
   * Calls one operation and returns its parsed result.
   * @example
   * ```ts
   * const result = await soap.call('GetCustomer', { id: 7 });
   * ```
   */
  async call<T = Record<string, unknown>>(operation: string, args: Record<string, unknown>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const client = await this.client();
    const fn = await this.operationFn(client, operation);
    options.signal?.throwIfAborted();
    try {
      return await new Promise<T>((resolve, reject) => {
        fn.call(client, args, (err, result) => (err ? reject(err) : resolve(result as T)), { timeout: this.config.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      });
    } catch (error) {
      throw soapError(error, { connector: this.type, operation, redact: (t) => this.redact(t) });
    }
  }

  /** The configured operation `name`, or an error listing the configured ones. */
  operationFor(name: string): SoapOperation {
    const found = Object.hasOwn(this.config.operations, name) ? this.config.operations[name] : undefined;
    if (found) return found;
    throw new InvalidArgumentError(`soap: no operation '${name}' in config 'operations' (configured: ${Object.keys(this.config.operations).join(', ') || 'none'}); add { "operation": "<WSDL operation>", "resultPath": "/…" } under operations.${name}`, { connector: this.type });
  }

  /** Calls the operation and yields the records at its `resultPath`. */
  async *records(name: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<unknown> {
    const op = this.operationFor(name);
    const result = await this.call(op.operation, op.args, options);
    if (op.resultPath === '') {
      if (Array.isArray(result)) yield* result;
      else if (result !== null && result !== undefined) yield result;
      return;
    }
    const found = resolveJsonPointer(result, op.resultPath);
    if (found === undefined || found === null) {
      // An empty list is an absent element in XML: that is zero rows when the parent is there.
      const parentPath = op.resultPath.slice(0, op.resultPath.lastIndexOf('/'));
      const parent = parentPath ? resolveJsonPointer(result, parentPath) : result;
      // (an element with no children parses as '' or null, so presence is what counts).
      if (parent !== undefined) return;
      const top = result && typeof result === 'object' ? Object.keys(result).join(', ') : typeof result;
      throw new QueryError(`soap: operation '${op.operation}' (read '${name}'): resultPath '${op.resultPath}' matches nothing in the result (its top-level elements: ${top || 'none'})`, { connector: this.type });
    }
    if (Array.isArray(found)) yield* found;
    else yield found; // One repeated element comes back as an object, not a list.
  }

  /** Reads a configured operation: its records at `resultPath`, as Arrow batches of the declared or inferred schema. */
  async nativeRead(name: string, options: ReadTableOptions): Promise<NativeReadPlan> {
    const op = this.operationFor(name);
    return recordsReadPlan({
      connector: this.type,
      name: `operation '${op.operation}'`,
      read: options,
      ...(op.sampleSize ? { sampleSize: op.sampleSize } : {}),
      ...(op.schema ? { columns: columnsFromConfig(op.schema, this.type) } : {}),
      records: (signal) => this.records(name, { signal }),
    });
  }

  private writeFor(name: string): SoapWrite {
    const found = Object.hasOwn(this.config.writes, name) ? this.config.writes[name] : undefined;
    if (found) return found;
    throw new InvalidArgumentError(`soap: no write '${name}' in config 'writes' (configured: ${Object.keys(this.config.writes).join(', ') || 'none'}); add { "operation": "<WSDL operation>" } under writes.${name}`, { connector: this.type });
  }

  /**
   * Calls the write's operation once per record, `batchSize` records a batch, `concurrency`
   * batches at once. Modes `append` and `errorIfExists` send; `overwrite` and `ignore` are refused.
   */
  async nativeWrite(name: string, batches: AsyncIterable<RecordBatch>, options: WriteTableOptions, context: NativeWriteContext): Promise<Omit<WriteResult, 'elapsedMs'>> {
    const w = this.writeFor(name);
    const mode = options.mode ?? 'errorIfExists';
    if (mode === 'overwrite' || mode === 'ignore') {
      throw new UnsupportedOperationError(`soap: mode '${mode}' has no meaning for an operation call (nothing to replace or find existing); write with mode 'append'`, { connector: this.type });
    }
    const arrow = await getArrowToolkit(this.type);
    const records = (async function* () {
      for await (const batch of batches) for (const row of arrow.rows(batch)) yield jsonRecord(row, w.dropNulls);
    })();
    const send = async (batch: OutgoingBatch<Record<string, unknown>>) => {
      for (const record of batch.records) {
        await this.call(w.operation, w.recordArg ? { ...w.args, [w.recordArg]: record } : { ...w.args, ...record }, { signal: context.signal });
      }
    };
    const result = await sendBatches({
      connector: this.type,
      target: `operation '${w.operation}'`,
      records,
      batchSize: Math.min(options.batchSize ?? w.batchSize, 10_000),
      concurrency: w.concurrency,
      idempotencyKeys: false,
      send,
      onBatch: (b) => context.onRows(b.records.length, 0),
      signal: context.signal,
    });
    return { table: name, mode, rows: result.records, written: true };
  }

  private address(): URL | undefined {
    const target = this.config.endpoint ?? (/^https?:\/\//i.test(this.config.wsdl) ? this.config.wsdl : undefined);
    return target ? new URL(target) : undefined;
  }

  /** Host and port of `endpoint` (or of a WSDL URL); none for a WSDL file without `endpoint`. */
  protected override endpoints(): Endpoint[] {
    const url = this.address();
    if (!url) return [];
    return [{ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 }];
  }

  /** The auth tier: `healthOperation` with the UsernameToken; without one, the WSDL load only. */
  protected override async checkAuth(signal: AbortSignal): Promise<string> {
    if (this.config.healthOperation) {
      await this.call(this.config.healthOperation, this.config.healthArgs, { signal });
      return `operation '${this.config.healthOperation}' answered`;
    }
    const names = await this.operationNames();
    return `WSDL loaded (${names.length} operations; set healthOperation to check the credentials with a call)`;
  }

  /** SOAP datasets are named by the service address and the operation. */
  override dataset(name: string): DatasetRef {
    const url = this.address();
    const operation = Object.hasOwn(this.config.operations, name) ? this.config.operations[name]!.operation : Object.hasOwn(this.config.writes, name) ? this.config.writes[name]!.operation : name;
    if (!url) return { namespace: `file://${this.config.wsdl.startsWith('/') ? '' : '/'}${this.config.wsdl}`, name: operation };
    return { namespace: datasetNamespace({ scheme: url.protocol.replace(/:$/, ''), host: url.hostname, port: url.port || undefined }), name: `${url.pathname.replace(/\/+$/, '')}/${operation}` };
  }

  /** Refuses: no Spark data source speaks SOAP. Read without `spark` (the local engine) instead. */
  sparkRead(name: string, _options: ReadTableOptions): SparkReadSpec {
    throw new UnsupportedOperationError(`soap: Spark has no data source for SOAP services, so '${name}' cannot be read as a Spark DataFrame. Open the connection without 'spark' to read it with the local engine (Arrow), then hand the rows to Spark if needed`, { connector: this.type });
  }

  /** Refuses, as {@link sparkRead} does. */
  sparkWrite(name: string, _options: WriteTableOptions): SparkWriteSpec {
    throw new UnsupportedOperationError(`soap: Spark has no data source for SOAP services, so '${name}' cannot be written from Spark. Open the connection without 'spark' and write with the local engine`, { connector: this.type });
  }
}
