/**
 * The AWS SDK, loaded on first use (importing the package costs nothing until a call needs S3),
 * and the `S3Client` a config describes: region, endpoint, path style, credentials (a key pair,
 * a profile, anonymous, or the SDK's default provider chain), retries with backoff.
 */
import { MissingDriverError } from '@sparkle/core';
import type { S3Config } from './config.js';

/** The SDK modules the connection uses. */
export interface S3Sdk {
  s3: typeof import('@aws-sdk/client-s3');
  storage: typeof import('@aws-sdk/lib-storage');
}

let sdk: Promise<S3Sdk> | undefined;

/** Imports `@aws-sdk/client-s3` and `@aws-sdk/lib-storage` once; a missing one is a `MissingDriverError` naming it. */
export function loadS3Sdk(connector: string): Promise<S3Sdk> {
  sdk ??= (async () => {
    const s3 = await import('@aws-sdk/client-s3').catch((cause: unknown) => {
      throw new MissingDriverError(connector, '@aws-sdk/client-s3', cause);
    });
    const storage = await import('@aws-sdk/lib-storage').catch((cause: unknown) => {
      throw new MissingDriverError(connector, '@aws-sdk/lib-storage', cause);
    });
    return { s3, storage };
  })().catch((error: unknown) => {
    sdk = undefined;
    throw error;
  });
  return sdk;
}

/** Which way the client authenticates, for messages and Spark (never the secret itself). */
export type CredentialSource = 'static' | 'profile' | 'anonymous' | 'default-chain';

/** How a config authenticates. */
export function credentialSource(config: Pick<S3Config, 'accessKeyId' | 'profile' | 'anonymous'>): CredentialSource {
  if (config.accessKeyId) return 'static';
  if (config.profile) return 'profile';
  if (config.anonymous) return 'anonymous';
  return 'default-chain';
}

/**
 * An `S3Client` for a config. Throttling (`SlowDown`, 503), 5xx and network errors are retried
 * by the SDK's standard strategy (exponential backoff with jitter) up to `maxAttempts`.
 */
export function createS3Client(mod: S3Sdk, config: S3Config): import('@aws-sdk/client-s3').S3Client {
  const source = credentialSource(config);
  const options: import('@aws-sdk/client-s3').S3ClientConfig = {
    region: config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    maxAttempts: config.maxAttempts,
    retryMode: 'standard',
    // Checksums only where S3 requires them: S3-compatible servers often reject the newer CRC trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.forcePathStyle !== undefined ? { forcePathStyle: config.forcePathStyle } : {}),
    ...(source === 'profile' ? { profile: config.profile } : {}),
  };
  if (source === 'static') {
    options.credentials = {
      accessKeyId: config.accessKeyId!,
      secretAccessKey: config.secretAccessKey!,
      ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
    };
  }
  if (source === 'anonymous') {
    // No signature at all: public buckets answer unsigned requests.
    options.signer = { sign: async (request) => request };
    options.credentials = { accessKeyId: '', secretAccessKey: '' };
  }
  return new mod.s3.S3Client(options);
}
