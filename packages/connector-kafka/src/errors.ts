/**
 * kafkajs errors as Sparkle's typed errors. kafkajs marks each error `retriable`; that flag is
 * kept (a produce that failed on a leader change may be retried, one the broker refused may not).
 * A kafkajs error after its retries (`KafkaJSNumberOfRetriesExceeded`) is judged by its cause.
 */
import {
  AuthenticationError,
  ConnectionFailedError,
  QueryError,
  SparkleError,
  TimeoutError,
  WriteError,
  classifyError,
  redactText,
} from '@sparkle/core';

interface KafkaJsErrorLike extends Error {
  name: string;
  retriable?: boolean;
  type?: string;
  code?: number;
  broker?: string;
  originalError?: unknown;
  cause?: unknown;
}

const isKafkaJsError = (e: unknown): e is KafkaJsErrorLike => e instanceof Error && e.name.startsWith('KafkaJS');

/** The innermost kafkajs error of a retry wrapper (whose message only says "retries exceeded"). */
function innermost(error: KafkaJsErrorLike): KafkaJsErrorLike {
  let e = error;
  for (let i = 0; i < 5; i++) {
    const inner = e.originalError ?? e.cause;
    if (!isKafkaJsError(inner)) break;
    e = inner;
  }
  return e;
}

/** Protocol error types that mean a topic or partition is missing. */
const NOT_FOUND = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID']);
const AUTH = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM', 'TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

/**
 * A typed Sparkle error for a kafkajs failure. `write` marks produce failures (`WriteError`).
 * @example
 * ```ts
 * try { await producer.send(...) } catch (e) { throw kafkaError(e, 'kafka', 'produce to orders', secrets, true); }
 * ```
 */
export function kafkaError(error: unknown, connector: string, what: string, secrets: readonly string[], write = false): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  if (!isKafkaJsError(error)) return classifyError(error, connector, what, secrets);
  const e = innermost(error);
  const message = redactText(e.message || error.message, secrets);
  const details: Record<string, unknown> = { driverError: e.name, ...(e.type ? { driverCode: e.type } : {}), ...(e.broker ? { broker: e.broker } : {}) };
  const retryable = Boolean(e.retriable ?? error.retriable);
  const options = { connector, cause: error, retryable, details };
  if (e.name === 'KafkaJSSASLAuthenticationError' || (e.type && AUTH.has(e.type))) {
    return new AuthenticationError(`${what} failed: the broker refused the credentials or the SASL mechanism (${message}). Check sasl.mechanism, sasl.username and sasl.password (or sasl.token)`, {
      ...options,
      retryable: false,
    });
  }
  if (e.type && NOT_FOUND.has(e.type)) {
    if (write) return new WriteError(`${what} failed: the topic or partition does not exist (${message}). Create the topic, check the name and the partition number`, { ...options, retryable: false, details: { ...details, notFound: true } });
    return new QueryError(`${what} failed: the topic does not exist (${message}). Create it, or check the name`, { ...options, retryable: false, details: { ...details, notFound: true } });
  }
  if (e.name === 'KafkaJSRequestTimeoutError' || e.type === 'REQUEST_TIMED_OUT') {
    return new TimeoutError(`${what} timed out: ${message}`, { ...options, retryable: true });
  }
  if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError' || e.name === 'KafkaJSBrokerNotFound' || e.name === 'KafkaJSLockTimeout') {
    return new ConnectionFailedError(`${what} failed: cannot reach the Kafka brokers (${message}). Check brokers and that the cluster is up`, { ...options, retryable: true });
  }
  if (write) return new WriteError(`${what} failed: ${message}`, options);
  return new QueryError(`${what} failed: ${message}`, options);
}
