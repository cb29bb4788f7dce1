/**
 * The AWS part of a connector's config (region, endpoint, credentials as the AWS SDK v3 takes
 * them) and the classification of SDK errors into typed Sparkle errors, shared by every AWS
 * connector (SQS, Kinesis, …) without depending on any SDK package. Credentials left out fall back to
 * the SDK's default provider chain (environment, shared config/profile, container/instance role).
 */
import { z } from 'zod';
import { AuthenticationError, ConnectionFailedError, InvalidArgumentError, QueryError, SparkleError, TimeoutError } from '../errors.js';
import type { Endpoint } from '../health.js';
import { secret } from '../secrets.js';

/** `credentials`: static keys, exactly the SDK's `AwsCredentialIdentity` fields. */
export const awsCredentialsSchema = z.strictObject({
  accessKeyId: z.string().min(1),
  secretAccessKey: secret(z.string().min(1)),
  sessionToken: secret(z.string().min(1)).optional(),
});

/** Config fields every AWS stream connection takes. */
export const awsConfigShape = {
  /** AWS region, e.g. `us-east-1`. Default: `AWS_REGION`, else `us-east-1`. */
  region: z.string().min(1).default(() => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'),
  /** A custom endpoint (a local fake, a VPC endpoint): `http://127.0.0.1:4566`. */
  endpoint: z.url().optional(),
  /** Static credentials; without them the SDK's default chain (env, profile, role) is used. */
  credentials: awsCredentialsSchema.optional(),
  /** A named profile of the shared config files (`~/.aws/config`), when no `credentials` are given. */
  profile: z.string().min(1).optional(),
  /** Attempts of a throttled or failed request (the SDK's `maxAttempts`). Default 3. */
  maxAttempts: z.coerce.number().int().min(1).max(20).default(3),
};

export type AwsConfig = {
  region: string;
  endpoint?: string | undefined;
  credentials?: z.output<typeof awsCredentialsSchema> | undefined;
  profile?: string | undefined;
  maxAttempts: number;
};

/** The options of an SDK v3 client from the config. */
export function awsClientOptions(config: AwsConfig): Record<string, unknown> {
  return {
    region: config.region,
    maxAttempts: config.maxAttempts,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.profile && !config.credentials ? { profile: config.profile } : {}),
  };
}

/** The host and port a request goes to (for `check()`'s network tier and lineage namespaces). */
export function awsEndpoint(config: AwsConfig, service: string): Endpoint {
  if (config.endpoint) {
    const url = new URL(config.endpoint);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443 };
  }
  return { host: `${service}.${config.region}.amazonaws.com`, port: 443 };
}

interface AwsServiceError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

const AUTH = /^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|AccessDenied|AccessDeniedException|ExpiredToken|InvalidSignatureException|MissingAuthenticationToken|IncompleteSignature|CredentialsProviderError)$/;
const THROTTLE = /Throttl|RequestLimitExceeded|ProvisionedThroughputExceeded|KMSThrottling|ServiceUnavailable|InternalFailure|InternalError|LimitExceeded/;
const NETWORK = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EPIPE|EAI_AGAIN)$/;

/**
 * A typed Sparkle error for an AWS SDK failure: credentials → AUTHENTICATION_FAILED, throttling
 * and server faults → retryable, a refused socket → CONNECTION_FAILED (retryable), a missing
 * queue/stream → QUERY_FAILED with `notFound` saying how to fix it.
 */
export function awsError(connector: string, error: unknown, what: string, notFound?: { match: RegExp; message: string }): SparkleError {
  if (SparkleError.isInstance(error)) return error;
  const e = (error ?? {}) as AwsServiceError & Error;
  const name = e.name ?? 'Error';
  const detail = `${name}: ${e.message ?? String(error)}`;
  if (name === 'AbortError') return new TimeoutError(`${what} was aborted`, { connector, cause: error, retryable: true });
  if (notFound && notFound.match.test(name)) return new QueryError(`${notFound.message} (${detail})`, { connector, cause: error });
  if (AUTH.test(name)) return new AuthenticationError(`${what}: AWS rejected the credentials (${detail}); check credentials.accessKeyId/secretAccessKey, profile or the role`, { connector, cause: error });
  if (name === 'CredentialsProviderError') return new AuthenticationError(`${what}: no AWS credentials found; set credentials in the config or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`, { connector, cause: error });
  if (NETWORK.test(e.code ?? '') || NETWORK.test(name) || /ECONNREFUSED|ENOTFOUND|socket hang up/.test(e.message ?? '')) {
    return new ConnectionFailedError(`${what}: cannot reach the AWS endpoint (${detail}); check region/endpoint`, { connector, cause: error, retryable: true });
  }
  if (/Validation|InvalidParameter|InvalidArgument|InvalidAttribute|MalformedQueryString|BatchEntryIdsNotDistinct|EmptyBatchRequest|TooManyEntriesInBatchRequest|BatchRequestTooLong/.test(name)) {
    return new InvalidArgumentError(`${what}: ${detail}`, { connector, cause: error });
  }
  const retryable = e.$fault === 'server' || Boolean(e.$retryable) || THROTTLE.test(name) || (e.$metadata?.httpStatusCode ?? 0) >= 500;
  return new QueryError(`${what} failed: ${detail}`, { connector, cause: error, retryable });
}
