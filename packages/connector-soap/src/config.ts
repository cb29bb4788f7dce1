/**
 * The `soap` config: the WSDL (URL or file), an endpoint override, WS-Security UsernameToken,
 * and named operations read as tables or called per record by writes.
 */
import { z } from 'zod';
import { apiConfigSchema, secret } from '@sparkle/core';
import { columnsConfigSchema } from '@sparkle/connector-http';

const pointer = z.string().refine((p) => p === '' || p.startsWith('/'), { message: "a JSON pointer starts with '/' (or is '' for the whole result)" });
const int = (min = 1) => z.number().int().min(min);

/** One named read: an operation, its arguments and where the records are in its result. */
export const soapOperationSchema = z.object({
  /** Operation name (`ListCustomers`), or `Service.Port.Operation` when several ports declare it. */
  operation: z.string().min(1),
  /** The operation's input, as the soap client takes it (element names → values). */
  args: z.record(z.string(), z.unknown()).default({}),
  /** JSON pointer of the record list in the parsed result, e.g. `/customers/customer`. A single record there is read as one row. */
  resultPath: pointer.default(''),
  /** Declared columns (`{ "id": "long" }`); otherwise inferred from `sampleSize` records. */
  schema: columnsConfigSchema.optional(),
  sampleSize: int().optional(),
});

/** One named write: an operation called once per record. */
export const soapWriteSchema = z.object({
  operation: z.string().min(1),
  /** Argument that receives the record (`customer`); absent: the record's fields are the arguments. */
  recordArg: z.string().min(1).optional(),
  /** Other arguments sent with every call. */
  args: z.record(z.string(), z.unknown()).default({}),
  /** Records per batch; the calls of a batch run one after another. Default 50. */
  batchSize: int().max(10_000).default(50),
  /** Batches in flight at once. Default 2. */
  concurrency: int().max(16).default(2),
  dropNulls: z.boolean().default(true),
});

/** WS-Security UsernameToken sent in the SOAP header of every call. */
export const soapSecuritySchema = z.object({
  type: z.literal('usernameToken'),
  username: z.string().min(1),
  password: secret(z.string()),
  /** `PasswordText` (default) or `PasswordDigest` (nonce + created, hashed). */
  passwordType: z.enum(['PasswordText', 'PasswordDigest']).default('PasswordText'),
  /** Add a wsu:Timestamp. Default true. */
  timestamp: z.boolean().default(true),
});

/** The `soap` config. */
export const soapConfigSchema = apiConfigSchema.extend({
  /** Not used by SOAP (the WSDL names the service's address); optional so the API family's fields still apply. */
  baseUrl: z.url().optional(),
  /** WSDL: an http(s) URL or a file path. */
  wsdl: z.string().min(1),
  /** Overrides the service address the WSDL declares (the WSDL of a test server, a proxy). */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  security: soapSecuritySchema.optional(),
  operations: z.record(z.string().min(1), soapOperationSchema).default({}),
  writes: z.record(z.string().min(1), soapWriteSchema).default({}),
  /** A read-only operation for the health check's auth tier, called with `healthArgs`. */
  healthOperation: z.string().min(1).optional(),
  healthArgs: z.record(z.string(), z.unknown()).default({}),
});

export type SoapConfig = z.output<typeof soapConfigSchema>;
export type SoapOperation = z.output<typeof soapOperationSchema>;
export type SoapWrite = z.output<typeof soapWriteSchema>;
