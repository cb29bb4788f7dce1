/**
 * The `sftp` config: the object-store shape (format, formatOptions, connectTimeoutMs) plus where
 * and how to log in, and the server's pinned host key.
 */
import { z } from 'zod';
import { cloudStorageConfigSchema, secret } from '@sparkle/core';

/** An OpenSSH SHA-256 fingerprint as `ssh-keygen -lf` prints it: `SHA256:` + unpadded base64. */
const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { message: "a SHA-256 host key fingerprint as ssh-keygen -lf prints it: 'SHA256:' and 43 base64 characters" });

export const sftpConfigSchema = cloudStorageConfigSchema
  .extend({
    host: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65_535).default(22),
    username: z.string().min(1),
    password: secret(z.string().min(1)).optional(),
    /** Private key text (OpenSSH or PEM), e.g. `${SFTP_PRIVATE_KEY}`. */
    privateKey: secret(z.string().min(1)).optional(),
    /** A file holding the private key (read at connect time). */
    privateKeyPath: z.string().min(1).optional(),
    passphrase: secret(z.string().min(1)).optional(),
    /** The server's host key fingerprint(s), `SHA256:…` (`ssh-keyscan -p PORT HOST | ssh-keygen -lf -`). */
    hostKeyFingerprint: z.union([fingerprint, z.array(fingerprint).min(1)]).optional(),
    /** Connect without checking the host key. Only for throwaway test servers: anyone in the middle could read and change the data. */
    allowUnknownHostKey: z.boolean().default(false),
    /** Absolute directory on the server that every key is relative to. */
    root: z.string().regex(/^\//, { message: "an absolute path on the server, e.g. '/home/etl/data'" }).default('/'),
    /** SFTP requests in flight per connection (ssh2-sftp-client's `promiseLimit`). */
    maxConcurrency: z.number().int().min(1).max(64).default(10),
    /** Read requests in flight while one file is downloaded (ranged reads, reassembled in order; as `fastGet`'s `concurrency`). */
    readConcurrency: z.number().int().min(1).max(256).default(64),
    /** Bytes per read request (OpenSSH answers at most 256 KiB per request). */
    readChunkSize: z.number().int().min(1024).max(256 * 1024).default(32 * 1024),
  })
  .superRefine((c, ctx) => {
    if (!c.password && !c.privateKey && !c.privateKeyPath) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'give password, privateKey or privateKeyPath (with passphrase if the key is encrypted)' });
    }
    if (c.privateKey && c.privateKeyPath) ctx.addIssue({ code: 'custom', path: ['privateKeyPath'], message: 'give privateKey or privateKeyPath, not both' });
    if (!c.hostKeyFingerprint && !c.allowUnknownHostKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['hostKeyFingerprint'],
        message: "pin the server's host key: set hostKeyFingerprint to what `ssh-keyscan -p PORT HOST | ssh-keygen -lf -` prints (SHA256:…), or allowUnknownHostKey: true for a throwaway test server",
      });
    }
  });

export type SftpConfig = z.output<typeof sftpConfigSchema>;
