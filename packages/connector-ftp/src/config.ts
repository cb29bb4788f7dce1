/** The `ftp` config: the object-store shape plus the server, the login, FTPS and the root directory. */
import { z } from 'zod';
import { cloudStorageConfigSchema, secret } from '@sparkle/core';

export const ftpConfigSchema = cloudStorageConfigSchema.extend({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65_535).default(21),
  user: z.string().min(1).default('anonymous'),
  password: secret(z.string()).optional(),
  /**
   * FTPS: `explicit` (AUTH TLS on the plain port; data channels protected too), `implicit` (TLS
   * from the first byte, usually port 990), or `none` — everything, the password included, in clear.
   */
  tlsMode: z.enum(['explicit', 'implicit', 'none']).default('explicit'),
  tls: z
    .object({
      /** PEM of the CA (or self-signed certificate) that signed the server's certificate. */
      ca: z.string().min(1).optional(),
      rejectUnauthorized: z.boolean().default(true),
      servername: z.string().min(1).optional(),
    })
    .default({ rejectUnauthorized: true }),
  /** Absolute directory on the server that every key is relative to. */
  root: z.string().regex(/^\//, { message: "an absolute path on the server, e.g. '/outgoing'" }).default('/'),
});

export type FtpConfig = z.output<typeof ftpConfigSchema>;
