/** The `ldap` config: the directory family's fields plus the bind password, StartTLS and TLS trust. */
import { z } from 'zod';
import { directoryConfigSchema, secret } from '@sparkle/core';

export const ldapConfigSchema = directoryConfigSchema
  .extend({
    /** `ldap://host:389` or `ldaps://host:636`. */
    url: z.string().regex(/^ldaps?:\/\/[^/]+\/?$/i, { message: "an LDAP URL such as 'ldap://dir.example.com:389' or 'ldaps://dir.example.com'" }),
    /** Password of `bindDn` (simple bind). */
    bindPassword: secret(z.string().min(1)).optional(),
    /** Upgrade an `ldap://` connection with StartTLS before binding. */
    startTls: z.boolean().default(false),
    tls: z
      .object({
        /** PEM of the CA that signed the server's certificate. */
        ca: z.string().min(1).optional(),
        rejectUnauthorized: z.boolean().default(true),
        servername: z.string().min(1).optional(),
      })
      .default({ rejectUnauthorized: true }),
    /** Deadline of one operation. */
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .superRefine((c, ctx) => {
    if (c.bindPassword && !c.bindDn) ctx.addIssue({ code: 'custom', path: ['bindDn'], message: 'bindPassword is set but bindDn is not; give the DN to bind as' });
    if (c.startTls && /^ldaps:/i.test(c.url)) ctx.addIssue({ code: 'custom', path: ['startTls'], message: 'ldaps:// is already TLS; drop startTls or use ldap://' });
  });

export type LdapConfig = z.output<typeof ldapConfigSchema>;
