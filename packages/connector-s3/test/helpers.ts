/**
 * What the S3 tests share: the moto endpoint (tools/services/ensure-moto.sh), a bucket per test
 * file (moto's state is global in its process), raw SDK access to seed and inspect objects
 * behind the connection's back, and request instrumentation through the SDK's middleware stack.
 */
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { S3Connection } from '../src/index.js';

export const ENDPOINT = process.env.SPARKLE_TEST_AWS_ENDPOINT ?? 'http://127.0.0.1:4566';
export const REGION = process.env.SPARKLE_TEST_AWS_REGION ?? 'us-east-1';

/** A bucket name unique to one test file and run. */
export function bucketName(what: string): string {
  return `sparkle-${what}-${process.pid}-${Date.now().toString(36)}`.toLowerCase().slice(0, 63);
}

/** The config of a connection to `bucket` on moto, as a user writes it. */
export function motoConfig(bucket: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { region: REGION, bucket, endpoint: ENDPOINT, forcePathStyle: true, accessKeyId: 'sparkle-test', secretAccessKey: 'sparkle-test-secret-value', ...extra };
}

/** A raw SDK client on moto, for seeding and checking behind the connection's back. */
export function rawClient(extra: S3ClientConfig = {}): S3Client {
  return new S3Client({
    region: REGION,
    endpoint: ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: 'sparkle-test', secretAccessKey: 'sparkle-test-secret-value' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...extra,
  });
}

export async function createBucket(bucket: string): Promise<void> {
  const client = rawClient();
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

export async function openS3(bucket: string, extra: Record<string, unknown> = {}, type = 's3'): Promise<S3Connection> {
  return getConnection<S3Connection>(type, { config: motoConfig(bucket, extra), dotenv: false, variables: {} });
}

/** Counts requests and response body bytes by S3 operation, through a middleware on the connection's own client. */
export interface RequestLog {
  calls: Array<{ operation: string; status?: number; bytes: number; range?: string }>;
  bytes(operation?: string): number;
  count(operation?: string): number;
  clear(): void;
}

export async function instrument(conn: S3Connection): Promise<RequestLog> {
  const client = await conn.s3Client();
  const log: RequestLog = {
    calls: [],
    bytes: (op) => log.calls.filter((c) => !op || c.operation === op).reduce((n, c) => n + c.bytes, 0),
    count: (op) => log.calls.filter((c) => !op || c.operation === op).length,
    clear: () => void log.calls.splice(0),
  };
  // One counter per client: a second instrument() replaces the first.
  client.middlewareStack.remove('sparkleTestByteCounter');
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      const range = request.headers?.range ?? request.headers?.Range;
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string> };
      log.calls.push({
        operation: String(context.commandName ?? '').replace(/Command$/, ''),
        status: response.statusCode,
        bytes: Number(response.headers?.['content-length'] ?? 0),
        ...(range ? { range } : {}),
      });
      return result;
    },
    { step: 'deserialize', name: 'sparkleTestByteCounter', priority: 'low' },
  );
  return log;
}

/** Every chunk of a byte stream, joined. */
export async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, any>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, any>;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
