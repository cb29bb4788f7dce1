/**
 * gRPC failures of the Pub/Sub client as Sparkle's typed errors. The client rejects with errors
 * carrying a gRPC status `code` (a number, `@grpc/grpc-js`'s `status`); auth-library failures
 * (no Application Default Credentials, a refused key) carry none. Messages are ours, naming the
 * topic or subscription, the status and the fix; the original is kept as `cause`, scrubbed of the
 * connection's secrets.
 */
import {
  AuthenticationError,
  ConnectionFailedError,
  InvalidArgumentError,
  QueryError,
  SparkleError,
  TimeoutError,
  WriteError,
  redactText,
  scrubErrorChain,
} from '@sparkle/core';

/** gRPC status codes (google.rpc.Code), by number. */
export const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const NAMES = Object.fromEntries(Object.entries(GRPC).map(([name, code]) => [code, name])) as Record<number, string>;

/** Codes a retry may cure (Google's own retry settings for Publish and Pull name these). */
const RETRYABLE = new Set<number>([GRPC.DEADLINE_EXCEEDED, GRPC.RESOURCE_EXHAUSTED, GRPC.ABORTED, GRPC.INTERNAL, GRPC.UNAVAILABLE, GRPC.UNKNOWN, GRPC.CANCELLED]);

/** The gRPC status code of a client error, if it has one. */
export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code >= 0 && code <= 16 ? code : undefined;
}

/** What a failed call was doing. */
export interface PubsubFailure {
  /** `write` (publish) fails as WriteError; the rest as QueryError unless the status says more. */
  op: 'write' | 'read' | 'admin';
  /** Readable call, e.g. `Publish to topic 'orders'`. */
  what: string;
  /** The resource, for NOT_FOUND: `topic 'orders'` / `subscription 'orders'`. */
  resource?: string;
  project?: string;
  connector: string;
  secrets: readonly string[];
}

/**
 * Maps a client failure to a Sparkle error.
 * @example
 * ```ts
 * throw pubsubError(error, { op: 'write', what: "Publish to topic 'orders'", resource: "topic 'orders'", connector: 'pubsub', secrets: [] });
 * ```
 */
export function pubsubError(error: unknown, failure: PubsubFailure): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const code = grpcCode(error);
  const raw = error instanceof Error ? error.message : String(error);
  const detail = redactText(raw, failure.secrets);
  const cause = scrubErrorChain(error, failure.secrets);
  const options = { connector: failure.connector, cause, details: { ...(code !== undefined ? { grpcStatus: NAMES[code] ?? code } : {}) } };
  const where = failure.project ? ` in project '${failure.project}'` : '';
  if (code === undefined) {
    if (/default credentials|invalid_grant|private key|Could not refresh access token|client_email/i.test(raw)) {
      return new AuthenticationError(`${failure.what}: Google authentication failed (${detail}). Give credentials.serviceAccountJson or credentials.keyFile, or set up Application Default Credentials`, options);
    }
    return new ConnectionFailedError(`${failure.what} failed: ${detail}`, { ...options, retryable: true });
  }
  switch (code) {
    case GRPC.NOT_FOUND:
      return new QueryError(`${failure.what}: ${failure.resource ?? 'the resource'} does not exist${where} (NOT_FOUND). Fix the name, or create it${failure.resource?.startsWith('topic') ? ' (or set createTopics: true)' : ' (createSubscription)'}`, options);
    case GRPC.ALREADY_EXISTS:
      return new SparkleError('TABLE_EXISTS', `${failure.what}: ${failure.resource ?? 'the resource'} already exists${where}`, options);
    case GRPC.PERMISSION_DENIED:
      return new AuthenticationError(`${failure.what}: permission denied${where} (${detail}); grant the service account the Pub/Sub role it needs (roles/pubsub.publisher, roles/pubsub.subscriber, roles/pubsub.viewer)`, options);
    case GRPC.UNAUTHENTICATED:
      return new AuthenticationError(`${failure.what}: the credentials were refused (UNAUTHENTICATED); check credentials.serviceAccountJson / keyFile or Application Default Credentials`, options);
    case GRPC.INVALID_ARGUMENT:
    case GRPC.OUT_OF_RANGE:
      return new InvalidArgumentError(`${failure.what}: Pub/Sub refused the request (${NAMES[code]}): ${detail}`, options);
    case GRPC.DEADLINE_EXCEEDED:
      return new TimeoutError(`${failure.what}: no answer within the deadline (DEADLINE_EXCEEDED); raise timeoutMs or retry`, { ...options, retryable: true });
    case GRPC.UNAVAILABLE:
      return new ConnectionFailedError(`${failure.what}: Pub/Sub is unavailable (UNAVAILABLE): ${detail}`, { ...options, retryable: true });
    default: {
      const retryable = RETRYABLE.has(code);
      const message = `${failure.what} failed (${NAMES[code] ?? `gRPC status ${code}`}): ${detail}`;
      return failure.op === 'write' ? new WriteError(message, { ...options, retryable }) : new QueryError(message, { ...options, retryable });
    }
  }
}
