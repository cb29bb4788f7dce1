/**
 * The `smtp` config: the mail server, how the connection is secured (implicit TLS or STARTTLS),
 * the login, the sender and the default recipients.
 */
import { z } from 'zod';
import { notifyConfigSchema, secret } from '@sparkle/core';

export const smtpConfigSchema = notifyConfigSchema
  .extend({
    host: z.string().min(1),
    port: z.coerce.number().int().min(1).max(65_535).default(587),
    /** Implicit TLS from the first byte (SMTPS, usually port 465). Default: true on port 465. */
    secure: z.boolean().optional(),
    /**
     * STARTTLS on a plain connection: `required` (default: refuse to send in clear),
     * `opportunistic` (upgrade when the server offers it), `disabled`.
     */
    starttls: z.enum(['required', 'opportunistic', 'disabled']).default('required'),
    /** Login (AUTH PLAIN/LOGIN); without `user` no AUTH is attempted. */
    user: z.string().min(1).optional(),
    password: secret(z.string().min(1)).optional(),
    /** Sender address (`"ETL <etl@example.com>"` or `etl@example.com`). */
    from: z.string().min(3),
    /** Default recipients when a message names none (same as `defaultTo`). */
    to: z.array(z.string().min(3)).optional(),
    tls: z
      .object({
        /** PEM of the CA (or self-signed certificate) that signed the server's certificate. */
        ca: z.string().min(1).optional(),
        /** Check the server certificate (default true). */
        rejectUnauthorized: z.boolean().default(true),
        /** Name the certificate must carry, when it is not `host`. */
        servername: z.string().min(1).optional(),
      })
      .default({ rejectUnauthorized: true }),
    /** Name sent in EHLO. Default: this machine's host name. */
    clientName: z.string().min(1).optional(),
    /** Waits for the greeting and for each command's answer. */
    socketTimeoutMs: z.number().int().positive().default(60_000),
    /** What `writeTable(rows, name)` sends. */
    table: z
      .object({
        /** `summary`: one e-mail for the whole write; `row`: one e-mail per row. */
        mode: z.enum(['summary', 'row']).default('summary'),
        /** Summary: attach every row as `<name>.csv`. */
        attachCsv: z.boolean().default(true),
        /** Summary: rows shown in the body. */
        previewRows: z.number().int().min(0).max(100).default(10),
        /** Summary: rows held for the attachment at most (the write fails beyond, sending nothing). */
        maxRows: z.number().int().positive().default(100_000),
        /** Row mode: e-mails sent at most (the write stops with an error beyond). */
        maxMessages: z.number().int().positive().default(100),
      })
      .default({ mode: 'summary', attachCsv: true, previewRows: 10, maxRows: 100_000, maxMessages: 100 }),
  })
  .superRefine((c, ctx) => {
    if (c.password && !c.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'password is set but user is not; give the login name' });
  });

export type SmtpConfig = z.output<typeof smtpConfigSchema>;
