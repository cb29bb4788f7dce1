/**
 * The `s3` config as users write it: where the objects are (region, bucket, optional prefix,
 * endpoint and path-style addressing for S3-compatible servers), how to log in (access key +
 * secret + optional session token, a shared-config profile, anonymous for public buckets, or the
 * SDK's default provider chain: env, web identity, SSO, instance/container role), and how
 * uploads are cut into parts.
 */
import { z } from 'zod';
import { cloudStorageConfigSchema, secret } from '@sparkle/core';

const MiB = 1024 * 1024;

/** S3's multipart floor: every part but the last must be at least 5 MiB. */
export const MIN_PART_SIZE = 5 * MiB;

/** Bucket names: no slashes or schemes (a common slip is `s3://bucket/prefix` in `bucket`). */
const bucketName = z
  .string()
  .min(1)
  .refine((b) => !b.includes('/') && !b.includes(':'), {
    message: "bucket is a bare name (e.g. 'lake'); put the folder in 'prefix' and drop any s3:// scheme",
  });

/** The prefix every key lives under: no leading slash, no `..`; stored with one trailing slash. */
const keyPrefix = z
  .string()
  .refine((p) => !p.split('/').includes('..'), { message: "prefix may not contain '..' segments" })
  .transform((p) => {
    const trimmed = p.replace(/^\/+/, '').replace(/\/+$/, '');
    return trimmed ? `${trimmed}/` : '';
  });

/** The config fields of the S3 wire connection (shared with `s3_compatible`). */
export const s3ConfigShape = {
  /** AWS region of the bucket (`eu-west-1`); default: the SDK's (`AWS_REGION`, the profile), else `us-east-1`. */
  region: z.string().min(1).optional(),
  /** Bucket name. */
  bucket: bucketName,
  /** Folder inside the bucket every key is relative to (`warehouse/raw`); keys cannot leave it. */
  prefix: keyPrefix.default(''),
  /** Endpoint URL of an S3-compatible server or a VPC endpoint (`http://127.0.0.1:9000`). */
  endpoint: z.url().optional(),
  /** Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`). */
  forcePathStyle: z.boolean().optional(),
  /** Static credentials: access key id (not a secret on its own, but kept out of logs anyway by S3). */
  accessKeyId: z.string().min(1).optional(),
  /** Static credentials: secret access key. */
  secretAccessKey: secret(z.string().min(1)).optional(),
  /** Temporary credentials: session token (with the key pair above). */
  sessionToken: secret(z.string().min(1)).optional(),
  /** A profile of `~/.aws/config` / `~/.aws/credentials` (SSO, assume-role, credential_process …). */
  profile: z.string().min(1).optional(),
  /** Unsigned requests, for public buckets. */
  anonymous: z.boolean().default(false),
  /** Multipart part size in bytes (≥ 5 MiB); memory per upload is about partSize × queueSize. */
  partSize: z.coerce.number().int().min(MIN_PART_SIZE).default(8 * MiB),
  /** Parts uploaded at once. */
  queueSize: z.coerce.number().int().min(1).max(64).default(4),
  /** Attempts per request (throttling `SlowDown`, 5xx and network errors are retried with backoff). */
  maxAttempts: z.coerce.number().int().min(1).max(20).default(5),
  /** Objects per `DeleteObjects` request (S3 allows at most 1000). */
  deleteBatchSize: z.coerce.number().int().min(1).max(1000).default(1000),
};

/**
 * Credentials are given one way: a key pair, a profile, or anonymous (or none: the default chain).
 * Exported so configs built on {@link s3ConfigShape} (`s3_compatible`) check the same.
 */
export function refineS3Credentials(c: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string; profile?: string; anonymous: boolean }, ctx: z.RefinementCtx): void {
  if (Boolean(c.accessKeyId) !== Boolean(c.secretAccessKey)) {
    ctx.addIssue({ code: 'custom', path: [c.accessKeyId ? 'secretAccessKey' : 'accessKeyId'], message: 'accessKeyId and secretAccessKey go together; set both, or neither to use a profile or the default provider chain' });
  }
  if (c.sessionToken && !c.accessKeyId) ctx.addIssue({ code: 'custom', path: ['sessionToken'], message: 'sessionToken needs accessKeyId and secretAccessKey' });
  const ways = [c.accessKeyId ? 'accessKeyId' : '', c.profile ? 'profile' : '', c.anonymous ? 'anonymous' : ''].filter(Boolean);
  if (ways.length > 1) ctx.addIssue({ code: 'custom', path: [ways[1]!], message: `give credentials one way, not ${ways.join(' and ')}` });
}

/**
 * Config of an `s3` connection.
 *
 * @example
 * ```ts
 * s3ConfigSchema.parse({ region: 'eu-west-1', bucket: 'lake', prefix: 'raw', accessKeyId: 'AKIA…', secretAccessKey: '${AWS_SECRET_ACCESS_KEY}' });
 * ```
 */
export const s3ConfigSchema = cloudStorageConfigSchema.extend(s3ConfigShape).superRefine(refineS3Credentials);

export type S3Config = z.output<typeof s3ConfigSchema>;
