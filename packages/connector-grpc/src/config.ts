/**
 * The `grpc` config: where the service is (`address`, TLS or insecure loopback), which proto file
 * describes it, the metadata sent with every call, a deadline, and named reads and writes.
 */
import { z } from 'zod';
import { apiConfigSchema, secret } from '@sparkle/core';

const pointer = z.string().refine((p) => p === '' || p.startsWith('/'), { message: "a JSON pointer starts with '/' (or is '' for the whole response)" });
const int = (min = 1) => z.number().int().min(min);

/** One named read: a unary or server-streaming method and its request. */
export const grpcReadSchema = z.object({
  /** Method name of the service (`ListItems`). */
  method: z.string().min(1),
  /** The request message, as JSON (field names as in the proto). */
  request: z.record(z.string(), z.unknown()).default({}),
  /** Unary methods: JSON pointer of the repeated field holding the records (`/items`); '' reads the response as one row. Server-streaming: each message is a row. */
  resultPath: pointer.default(''),
});

/** One named write: a unary method called per record (or per batch), or a client-streaming method. */
export const grpcWriteSchema = z.object({
  method: z.string().min(1),
  /** Unary only: a repeated field of the request that receives `batchSize` records per call; absent: each record is the request. */
  recordsField: z.string().min(1).optional(),
  /** Other request fields sent with every unary call (with `recordsField`). */
  request: z.record(z.string(), z.unknown()).default({}),
  batchSize: int().max(10_000).default(100),
  /** Unary calls in flight at once. */
  concurrency: int().max(16).default(4),
});

/** TLS: CA bundle, and a client certificate + key for mutual TLS (paths to PEM files). */
export const grpcTlsSchema = z.object({
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  /** Path of the client key (the path is not secret, the file is; both are kept out of errors). */
  key: secret(z.string().min(1)).optional(),
});

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

/** Host part of `host:port` (IPv6 in brackets). */
export function hostOf(address: string): string {
  const m = /^(\[[^\]]+\]|[^:]+):\d+$/.exec(address.replace(/^dns:(\/\/\/)?/, ''));
  return m ? m[1]! : address;
}

/** The `grpc` config. */
export const grpcConfigSchema = apiConfigSchema
  .extend({
    /** Not used by gRPC (the service is at `address`); kept optional so the API family's fields still apply. */
    baseUrl: z.url().optional(),
    /** `host:port` of the server. */
    address: z.string().regex(/^(dns:(\/\/\/)?)?(\[[^\]]+\]|[^:/\s]+):\d{1,5}$/, { message: "'host:port', e.g. 'api.example.com:443' or '127.0.0.1:50051'" }),
    /** Path of the .proto file that declares the service. */
    proto: z.string().min(1),
    /** Directories searched for the proto's imports. */
    includeDirs: z.array(z.string()).default([]),
    /** Fully-qualified service name, `package.Service`. */
    service: z.string().min(1),
    tls: grpcTlsSchema.optional(),
    /** Plaintext: allowed only for a loopback address (127.0.0.1, ::1, localhost). */
    insecure: z.boolean().default(false),
    /** Metadata sent with every call; values of token-like keys (`authorization`, `x-api-token`) are secrets. */
    metadata: z.record(z.string(), z.string()).default({}),
    /** Deadline of each call (a server-streaming read: of the whole stream). */
    deadlineMs: int().default(30_000),
    reads: z.record(z.string().min(1), grpcReadSchema).default({}),
    writes: z.record(z.string().min(1), grpcWriteSchema).default({}),
    /** A read-only unary method for the health check's auth tier, called with `{}`. */
    healthMethod: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.insecure && !LOOPBACK.test(hostOf(c.address))) {
      ctx.addIssue({ code: 'custom', path: ['insecure'], message: `plaintext gRPC is allowed only to a loopback address, not '${hostOf(c.address)}': configure 'tls' (ca, and cert + key for mutual TLS)` });
    }
    if (c.insecure && c.tls) ctx.addIssue({ code: 'custom', path: ['tls'], message: "'tls' and 'insecure: true' exclude each other: remove one" });
  });

export type GrpcConfig = z.output<typeof grpcConfigSchema>;
export type GrpcRead = z.output<typeof grpcReadSchema>;
export type GrpcWrite = z.output<typeof grpcWriteSchema>;

const TOKEN_LIKE = /(token|authori[sz]ation|auth|secret|password|passwd|api[-_]?key|cookie|credential|signature|session)/i;

/** True for a metadata key whose value must be treated as a secret. */
export function isSecretMetadataKey(key: string): boolean {
  return TOKEN_LIKE.test(key);
}
