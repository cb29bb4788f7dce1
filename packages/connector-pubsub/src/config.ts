/**
 * Config of the `pubsub` connection, and the service-account key it may carry. A key is checked
 * when the config is validated (a broken one is a `CONFIG_INVALID` naming the field, never
 * printing the key), then parsed once by the connection.
 */
import { z } from 'zod';
import { googleCredentialsSchema, secret } from '@sparkle/core';

export { parseServiceAccountKey, type ServiceAccountKey } from '@sparkle/core';

/** Config of a `pubsub` connection. */
export const pubsubConfigSchema = z.strictObject({
  /** Google Cloud project of the topics and subscriptions (default: the key's `project_id`, or ADC's project). */
  projectId: z.string().min(1).optional(),
  /** Service-account credentials; omitted: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, metadata server). */
  credentials: googleCredentialsSchema.optional(),
  /** `host:port` of an emulator (`pstest`, `gcloud beta emulators pubsub`): plain gRPC, no credentials. */
  emulatorHost: z.string().regex(/^[^\s/:]+:\d{1,5}$/, { message: 'must be host:port, like 127.0.0.1:8085' }).optional(),
  /** A regional or private endpoint (`europe-west1-pubsub.googleapis.com`), authenticated. */
  apiEndpoint: z.string().min(1).optional(),
  /** The topic `check()` describes when no `subscription` is set, and the default of produce callers. */
  topic: z.string().min(1).optional(),
  /** The subscription `check()` describes (metadata only; nothing is pulled). */
  subscription: z.string().min(1).optional(),
  /** Whether `produce` creates a missing topic. Default false. */
  createTopics: z.boolean().default(false),
  /** Publish batches: messages and bytes per Publish request, and how long a partial batch waits (ms). */
  batchMessages: z.coerce.number().int().min(1).max(1000).default(100),
  batchBytes: z.coerce.number().int().min(1024).max(10_000_000).default(1_000_000),
  batchDelayMs: z.coerce.number().int().min(0).max(10_000).default(10),
  /** Bytes published but not yet acknowledged before `produce` waits (bounded memory). Default 32 MiB. */
  maxInFlightBytes: z.coerce.number().int().min(1).default(32 * 1024 * 1024),
  /** Messages per Pull request (1–1000). Default 100. */
  pullBatchSize: z.coerce.number().int().min(1).max(1000).default(100),
  /** A bounded read is caught up after this many Pull requests in a row came back empty. Default 2. */
  emptyPullsToStop: z.coerce.number().int().min(1).max(20).default(2),
  /** Seconds a pulled, unacknowledged message stays leased; held messages are extended (modifyAckDeadline) before it runs out. Default 60. */
  ackDeadlineSeconds: z.coerce.number().int().min(1).max(600).default(60),
  /** What a bounded read leaves behind: `peek` gives every message back (nack), `remove` acknowledges what it read. Default `peek`. */
  boundedRead: z.enum(['peek', 'remove']).default('peek'),
  /**
   * After a subscription loop ends, how long messages handed out but not yet settled stay leased, so
   * an `ack()` right after the loop still counts; then they are given back. 0: at once. Default 2000.
   */
  ackGraceMs: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** Use each record's key (as text) as its ordering key when the record has none. Default false. */
  orderingKeyFromKey: z.boolean().default(false),
  /** Per-call gRPC deadline of admin and pull calls, ms. Default 60 000. */
  timeoutMs: z.coerce.number().int().min(100).default(60_000),
});

export type PubsubConfig = z.output<typeof pubsubConfigSchema>;
