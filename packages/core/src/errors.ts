/**
 * Typed errors shared by every Sparkle package.
 *
 * Every error carries the connector it came from, whether retrying may help, and the
 * underlying cause. `SparkleError.isInstance(e)` recognises errors made by any installed
 * copy of `@sparkle/core` (a `Symbol.for` marker, not `instanceof`), so two versions of core
 * in one dependency tree still agree on what a Sparkle error is.
 */

const MARKER = Symbol.for('sparkle.error');

/** Stable machine-readable error codes; scripts branch on these, never on messages. */
export type SparkleErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_PARSE'
  | 'CONFIG_INVALID'
  | 'CONFIG_MISSING_ENV'
  | 'INVALID_ENV_NAME'
  | 'UNKNOWN_CONNECTION_TYPE'
  | 'MISSING_DRIVER'
  | 'INCOMPATIBLE_CONNECTOR'
  | 'CONNECTION_FAILED'
  | 'AUTHENTICATION_FAILED'
  | 'TIMEOUT'
  | 'QUERY_FAILED'
  | 'WRITE_FAILED'
  | 'TABLE_EXISTS'
  | 'UNSUPPORTED'
  | 'INVALID_ARGUMENT'
  | 'CLOSED'
  | 'ABORTED'
  | 'INTERNAL';

export interface SparkleErrorOptions {
  /** Connection type (canonical name) the error concerns, when there is one. */
  connector?: string;
  /** True when the same call may succeed if retried later (network blips, timeouts, throttling). */
  retryable?: boolean;
  cause?: unknown;
  /** Extra structured detail (never secrets): file, path, host, … */
  details?: Record<string, unknown>;
}

export class SparkleError extends Error {
  readonly code: SparkleErrorCode;
  readonly connector: string | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  declare readonly cause: unknown;

  constructor(code: SparkleErrorCode, message: string, options: SparkleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.connector = options.connector;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
    Object.defineProperty(this, MARKER, { value: true, enumerable: false });
  }

  /** True for a Sparkle error from any installed copy of core. */
  static isInstance(value: unknown): value is SparkleError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /** True when `value` is a Sparkle error marked retryable. */
  static isRetryable(value: unknown): boolean {
    return SparkleError.isInstance(value) && value.retryable;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      connector: this.connector,
      retryable: this.retryable,
      details: this.details,
    };
  }
}

/** A config file is missing, unreadable or malformed, or a value fails validation. */
export class ConfigError extends SparkleError {
  constructor(
    code: Extract<SparkleErrorCode, 'CONFIG_NOT_FOUND' | 'CONFIG_PARSE' | 'CONFIG_INVALID' | 'CONFIG_MISSING_ENV' | 'INVALID_ENV_NAME'>,
    message: string,
    options: SparkleErrorOptions = {},
  ) {
    super(code, message, { ...options, retryable: false });
  }
}

/** No connector is registered or installed under this name. */
export class UnknownConnectionTypeError extends SparkleError {
  readonly suggestions: string[];
  constructor(type: string, suggestions: string[], available: number) {
    const hint = suggestions.length
      ? ` Did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?`
      : '';
    super(
      'UNKNOWN_CONNECTION_TYPE',
      `Unknown connection type '${type}'.${hint} ${available} types are available (ConnectionFactory.listAvailable()); ` +
        `install one with 'pnpm add @sparkle/connector-<name>' or register your own with registerConnection().`,
      { details: { type, suggestions } },
    );
    this.suggestions = suggestions;
  }
}

/** The driver package a connector needs is not installed. */
export class MissingDriverError extends SparkleError {
  constructor(connector: string, packageName: string, cause?: unknown) {
    super('MISSING_DRIVER', `The '${connector}' connection needs the '${packageName}' package. Install it with: pnpm add ${packageName}`, {
      connector,
      cause,
      details: { package: packageName },
    });
  }
}

/**
 * An installed connector was built for another `@sparkle/core` (its package.json `sparkle.core`
 * range does not include this core's version). Discovery refuses it rather than loading code
 * that may call APIs this core does not have.
 */
export class IncompatibleConnectorError extends SparkleError {
  constructor(connector: string, packageName: string, range: string, coreVersion: string, unparseable = false) {
    super(
      'INCOMPATIBLE_CONNECTOR',
      unparseable
        ? `${packageName} (type '${connector}') declares "sparkle": { "core": "${range}" }, which is not a version range core understands (use e.g. ^${coreVersion}); this installation has @sparkle/core ${coreVersion}.`
        : `${packageName} (type '${connector}') requires @sparkle/core ${range}, but this installation has @sparkle/core ${coreVersion}. ` +
          `Install a version of ${packageName} built for core ${coreVersion}, or align @sparkle/core with it.`,
      { connector, details: { package: packageName, coreRange: range, coreVersion } },
    );
  }
}

/** The server could not be reached (DNS, refused, reset). Retryable. */
export class ConnectionFailedError extends SparkleError {
  constructor(message: string, options: SparkleErrorOptions = {}) {
    super('CONNECTION_FAILED', message, { retryable: true, ...options });
  }
}

/** The server answered but refused the credentials. Not retryable. */
export class AuthenticationError extends SparkleError {
  constructor(message: string, options: SparkleErrorOptions = {}) {
    super('AUTHENTICATION_FAILED', message, { ...options, retryable: false });
  }
}

/** An operation ran past its deadline. Retryable. */
export class TimeoutError extends SparkleError {
  constructor(message: string, options: SparkleErrorOptions = {}) {
    super('TIMEOUT', message, { retryable: true, ...options });
  }
}

/** A query or read failed on the server side. */
export class QueryError extends SparkleError {
  constructor(message: string, options: SparkleErrorOptions = {}) {
    super('QUERY_FAILED', message, options);
  }
}

/** A write failed; `details.committed` tells whether anything became visible. */
export class WriteError extends SparkleError {
  constructor(message: string, options: SparkleErrorOptions = {}) {
    super('WRITE_FAILED', message, options);
  }
}

/** The connector or engine does not support the requested operation. */
export class UnsupportedOperationError extends SparkleError {
  constructor(message: string, options: SparkleErrorOptions = {}) {
    super('UNSUPPORTED', message, { ...options, retryable: false });
  }
}

/** A caller passed an invalid argument (hostile identifier, bad bounds, …). */
export class InvalidArgumentError extends SparkleError {
  constructor(message: string, options: SparkleErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, { ...options, retryable: false });
  }
}

/** Builds the error for a timed-out or aborted operation from an AbortSignal's reason. */
export function abortError(signal: AbortSignal, what: string, connector?: string): SparkleError {
  const reason: unknown = signal.reason;
  if (SparkleError.isInstance(reason)) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError(`${what} timed out`, { connector, cause: reason });
  }
  return new SparkleError('ABORTED', `${what} was aborted`, { connector, cause: reason });
}
