/**
 * amqplib errors as Sparkle's typed errors. AMQP reports failures as reply codes: 403
 * ACCESS_REFUSED (credentials, permissions), 530 NOT_ALLOWED (a vhost the user may not use), 404
 * NOT_FOUND (a queue or exchange), 406 PRECONDITION_FAILED (a declare that does not match), 320
 * CONNECTION_FORCED (the broker closed the connection: retryable).
 */
import { AuthenticationError, ConnectionFailedError, QueryError, SparkleError, WriteError, classifyError, redactText } from '@sparkle/core';

interface AmqpErrorLike extends Error {
  code?: number | string;
  classId?: number;
  methodId?: number;
}

/** The AMQP reply code of an amqplib error (a number on channel errors, in the text of handshake failures). */
function replyCode(e: AmqpErrorLike): number | undefined {
  if (typeof e.code === 'number') return e.code;
  const m = /\b(\d{3}) \(([A-Z_-]+)\)/.exec(e.message);
  return m ? Number(m[1]) : undefined;
}

/**
 * A typed Sparkle error for an amqplib failure; `write` marks publish failures.
 * @example
 * ```ts
 * try { await channel.checkQueue('orders') } catch (e) { throw rabbitError(e, 'rabbitmq', 'describing queue orders', secrets); }
 * ```
 */
export function rabbitError(error: unknown, connector: string, what: string, secrets: readonly string[], write = false): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  if (!(error instanceof Error)) return classifyError(error, connector, what, secrets);
  const e = error as AmqpErrorLike;
  const code = replyCode(e);
  if (code === undefined && /Expected ConnectionOpenOk/.test(e.message)) {
    // The broker closes the connection instead of opening the vhost: it does not exist, or the user may not use it.
    return new AuthenticationError(`${what} failed: the broker refused to open the vhost (it does not exist, or the user has no permission on it). Check vhost and the user's permissions`, {
      connector,
      cause: error,
      details: { vhostRefused: true },
    });
  }
  if (code === undefined) return classifyError(error, connector, what, secrets);
  const message = redactText(e.message, secrets);
  const details = { driverCode: code };
  if (code === 403 || code === 530 || /ACCESS[-_]REFUSED/.test(e.message)) {
    return new AuthenticationError(`${what} failed: the broker refused the credentials or the vhost (${message}). Check username, password and vhost, and the user's permissions`, {
      connector,
      cause: error,
      details,
    });
  }
  if (code === 404) {
    const options = { connector, cause: error, retryable: false, details: { ...details, notFound: true } };
    const text = `${what} failed: it does not exist (${message}). Declare the queue or exchange first, or check the name and vhost`;
    return write ? new WriteError(text, options) : new QueryError(text, options);
  }
  if (code === 320 || code === 541) {
    return new ConnectionFailedError(`${what} failed: the broker closed the connection (${message})`, { connector, cause: error, retryable: true, details });
  }
  const options = { connector, cause: error, retryable: false, details };
  return write ? new WriteError(`${what} failed: ${message}`, options) : new QueryError(`${what} failed: ${message}`, options);
}
