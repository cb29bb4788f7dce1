/**
 * Config of the `gcs` connection, and the service-account key it may carry. The key is checked
 * when the config is validated (so a broken key is a `CONFIG_INVALID` naming the field, never
 * printing the key), then parsed once by the connection.
 */
import { z } from 'zod';
import { cloudStorageConfigSchema, secret } from '@sparkle/core';

/** GCS bucket names: 3–63 characters (up to 222 with dots), lower-case letters, digits, `-`, `_`, `.`. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
/** Resumable uploads send chunks in multiples of 256 KiB. */
export const UPLOAD_CHUNK_UNIT = 256 * 1024;

/** The fields of a service-account key the client and Spark use. */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
}

/**
 * Parses an inline service-account key. Returns the reason (never the text, which may hold the
 * private key) when it is not one.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: it must not reach a log.
    return 'is not valid JSON (paste the whole key file, or use credentials.keyFile with its path)';
  }
  if (!value || typeof value !== 'object') return 'is not a JSON object';
  const key = value as Record<string, unknown>;
  if (key.type !== 'service_account') return `is a '${typeof key.type === 'string' ? key.type : 'unknown'}' key, not a service-account key (type "service_account"); for user or workload credentials use Application Default Credentials (omit credentials)`;
  for (const field of ['client_email', 'private_key'] as const) {
    if (typeof key[field] !== 'string' || key[field] === '') return `has no ${field}`;
  }
  return key as unknown as ServiceAccountKey;
}

const credentialsSchema = z
  .strictObject({
    /** The service-account key file's JSON, inline (a secret: write it as `${GCS_SERVICE_ACCOUNT_JSON}`). */
    serviceAccountJson: secret(z.string().min(1)).optional(),
    /** Path of a service-account key file (read by this process; Spark reads `sparkKeyFile`, or this path, on its own machines). */
    keyFile: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.serviceAccountJson !== undefined && c.keyFile !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give serviceAccountJson or keyFile, not both', path: ['keyFile'] });
    }
    if (c.serviceAccountJson !== undefined) {
      const parsed = parseServiceAccountKey(c.serviceAccountJson);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `the service-account key ${parsed}`, path: ['serviceAccountJson'] });
    }
  });

/** Config of a `gcs` connection. */
export const gcsConfigSchema = cloudStorageConfigSchema.extend({
  /** Google Cloud project id (Spark's `fs.gs.project.id`; default: the key's `project_id` or ADC's). */
  project: z.string().min(1).optional(),
  /** The bucket every key lives in. */
  bucket: z.string().regex(BUCKET_NAME, { message: 'must be a GCS bucket name: 3-63 lower-case letters, digits, dots, dashes or underscores' }),
  /** Root prefix inside the bucket every key is relative to (`lake/raw`). */
  prefix: z
    .string()
    .default('')
    .refine((p) => !p.split('/').includes('..'), { message: "must not contain '..' segments" }),
  /** Service-account credentials; omitted: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, metadata server). */
  credentials: credentialsSchema.optional(),
  /** API root, for an emulator (`http://127.0.0.1:4443`); requests to it are not authenticated unless `authenticateEndpoint`. */
  apiEndpoint: z.url().optional(),
  /** Send credentials to `apiEndpoint` too (a private gateway in front of real GCS). */
  authenticateEndpoint: z.boolean().default(false),
  /** Path of the key file on the Spark driver and executors (default: `credentials.keyFile`). */
  sparkKeyFile: z.string().min(1).optional(),
  /** Retries of idempotent calls on 408/429/5xx and network errors, with exponential backoff (the client's own). */
  maxRetries: z.coerce.number().int().min(0).max(20).default(3),
  /** Bytes per resumable-upload request for streamed puts (rounded up to 256 KiB); memory stays within about one chunk. */
  uploadChunkBytes: z.coerce.number().int().positive().default(8 * 1024 * 1024),
  /** Puts of at most this many bytes (known up front) go in one request instead of a resumable session. */
  singleRequestMaxBytes: z.coerce.number().int().nonnegative().default(5 * 1024 * 1024),
});

export type GcsConfig = z.output<typeof gcsConfigSchema>;
