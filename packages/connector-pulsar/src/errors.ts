/**
 * Pulsar failures as Sparkle's typed errors: WebSocket handshakes refused with an HTTP status,
 * send errors of the WebSocket producer, closed sockets, and admin REST errors (core's
 * `HttpError`, already typed, gets Pulsar's fix hints here). Secrets (the token) are scrubbed.
 */
import {
  AuthenticationError,
  ConnectionFailedError,
  HttpError,
  QueryError,
  SparkleError,
  TimeoutError,
  WriteError,
  classifyError,
  redactText,
} from '@sparkle/core';

/** A WebSocket handshake the broker answered with an HTTP status instead of upgrading. */
export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly body: string,
  ) {
    super(`HTTP ${status} ${statusText}${body ? `: ${body}` : ''}`);
    this.name = 'HandshakeRefused';
  }
}

/** A WebSocket the broker closed (close code and reason as sent). */
export class SocketClosed extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`the broker closed the WebSocket (code ${code}${reason ? `: ${reason}` : ''})`);
    this.name = 'SocketClosed';
  }
}

/** A send the WebSocket producer reported as failed (`send-error:<code>`). */
export class SendFailed extends Error {
  constructor(
    readonly result: string,
    message: string,
  ) {
    super(message || result);
    this.name = 'SendFailed';
  }
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Close code 1009: a frame larger than the WebSocket service accepts (`webSocketMaxTextFrameSize`). */
const TOO_BIG = 1009;

/**
 * A typed Sparkle error for a Pulsar failure. `write` marks produce failures (`WriteError`).
 * @example
 * ```ts
 * throw pulsarError(error, 'pulsar', "producing to 'orders'", [token], true);
 * ```
 */
export function pulsarError(error: unknown, connector: string, what: string, secrets: readonly string[], write = false): SparkleError {
  if (error instanceof HttpError) {
    const status = error.status;
    if (status === 401 || status === 403) {
      return new AuthenticationError(`${what} failed: the broker refused the credentials (HTTP ${status}). Check 'token' (a JWT the cluster's token provider accepts) and the role's permissions`, {
        connector,
        cause: error,
        retryable: false,
        details: { status },
      });
    }
    if (status === 404) {
      return new QueryError(`${what} failed: not found (HTTP 404). Check the tenant, namespace and topic name, or create the topic`, { connector, cause: error, retryable: false, details: { status, notFound: true } });
    }
    return error;
  }
  if (SparkleError.isInstance(error)) return error;
  const message = redactText(error instanceof Error ? error.message : String(error), secrets);
  if (error instanceof HandshakeRefused) {
    const details = { status: error.status };
    if (error.status === 401 || error.status === 403) {
      return new AuthenticationError(`${what} failed: the broker refused the credentials (${message}). Check 'token' (a JWT the cluster's token provider accepts) and the role's permissions`, {
        connector,
        cause: error,
        retryable: false,
        details,
      });
    }
    if (error.status === 404) {
      return new QueryError(`${what} failed: the topic or its namespace does not exist (${message}). Check the tenant, namespace and topic name, or create the topic`, {
        connector,
        cause: error,
        retryable: false,
        details: { ...details, notFound: true },
      });
    }
    const retryable = error.status >= 500 || error.status === 429 || error.status === 408;
    return write ? new WriteError(`${what} failed: ${message}`, { connector, cause: error, retryable, details }) : new QueryError(`${what} failed: ${message}`, { connector, cause: error, retryable, details });
  }
  if (error instanceof SendFailed) {
    const tooBig = /too ?big|size exceeds|exceeds.*size|MessageTooBig/i.test(error.message);
    // Pulsar's send-error codes that are worth another try: timeout, broker not ready, queue full, connection lost.
    const retryable = !tooBig && /timeout|not ready|queue is full|closed|disconnect|unavailable|ServiceNotReady|lookup/i.test(error.message);
    return new WriteError(
      tooBig ? `${what} failed: a message is larger than the broker accepts (${message}). Split it, or raise the broker's maxMessageSize` : `${what} failed: the broker refused a message (${message})`,
      { connector, cause: error, retryable, details: { result: error.result, ...(tooBig ? { tooLarge: true } : {}) } },
    );
  }
  if (error instanceof SocketClosed) {
    if (error.code === TOO_BIG) {
      const text = `${what} failed: a message is larger than the broker's WebSocket service accepts (close code 1009, webSocketMaxTextFrameSize; payloads travel base64-encoded, a third larger). Split it, or raise the limit on the broker`;
      return write ? new WriteError(text, { connector, cause: error, retryable: false, details: { tooLarge: true } }) : new QueryError(text, { connector, cause: error, retryable: false, details: { tooLarge: true } });
    }
    return new ConnectionFailedError(`${what} failed: ${message}. The broker went away or restarted; retry (positions already acknowledged are kept)`, { connector, cause: error, retryable: true, details: { closeCode: error.code } });
  }
  const code = (error as { code?: string } | null)?.code;
  if (code && NETWORK.has(code)) {
    return new ConnectionFailedError(`${what} failed: cannot reach the Pulsar web service (${message}). Check webServiceUrl and that the broker is up`, { connector, cause: error, retryable: true, details: { code } });
  }
  if ((error as Error | null)?.name === 'TimeoutError') return new TimeoutError(`${what} timed out: ${message}`, { connector, cause: error, retryable: true });
  if (write && !(error instanceof SparkleError)) return new WriteError(`${what} failed: ${message}`, { connector, cause: error, retryable: false });
  return classifyError(error, connector, what, secrets);
}
