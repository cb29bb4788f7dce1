/**
 * The `salesforce` config: where to log in (production or sandbox), one OAuth flow with its
 * secrets marked, and how reads and writes use the REST and Bulk API 2.0 endpoints.
 */
import { z } from 'zod';
import { secret } from '@sparkle/core';

const httpsUrl = z.url({ protocol: /^https?$/ });

/** Username-password (OAuth 2.0 password grant; the security token is appended to the password). */
const passwordAuth = z.object({
  type: z.literal('password'),
  username: z.string().min(1),
  password: secret(z.string().min(1)),
  /** Appended to the password, as Salesforce asks when the login IP is not trusted. */
  securityToken: secret(z.string()).optional(),
  /** Consumer key of the connected app. */
  clientId: z.string().min(1),
  /** Consumer secret of the connected app. */
  clientSecret: secret(z.string().min(1)),
});

/** JWT bearer flow: a server-to-server login signed with the connected app's private key (RS256). */
const jwtAuth = z.object({
  type: z.literal('jwt'),
  username: z.string().min(1),
  clientId: z.string().min(1),
  /** PEM private key (PKCS#8 or PKCS#1), e.g. `${SF_JWT_KEY}`. */
  privateKey: secret(z.string().min(1)),
  /** `aud` claim. Default the login URL (`https://login.salesforce.com` or `https://test.salesforce.com`). */
  audience: z.string().min(1).optional(),
});

/** Refresh-token flow: a long-lived refresh token of a connected app. */
const refreshTokenAuth = z.object({
  type: z.literal('refresh_token'),
  clientId: z.string().min(1),
  clientSecret: secret(z.string().min(1)).optional(),
  refreshToken: secret(z.string().min(1)),
});

/** A ready access token (session id) with the instance URL it belongs to; it is not refreshed. */
const accessTokenAuth = z.object({
  type: z.literal('access_token'),
  accessToken: secret(z.string().min(1)),
});

export const salesforceAuthSchema = z.discriminatedUnion('type', [passwordAuth, jwtAuth, refreshTokenAuth, accessTokenAuth]);

export const salesforceConfigSchema = z
  .looseObject({
    /** OAuth login host: `https://login.salesforce.com` (default), `https://test.salesforce.com` for sandboxes, or a My Domain URL. */
    loginUrl: httpsUrl.default('https://login.salesforce.com'),
    /** The org's instance URL. Required with `access_token`; the other flows learn it at login. */
    instanceUrl: httpsUrl.optional(),
    /** REST API version, e.g. `62.0`. */
    apiVersion: z.string().regex(/^\d{2,3}\.\d$/, 'an API version such as 62.0').default('62.0'),
    auth: salesforceAuthSchema,
    /**
     * Reads: `false` always uses the REST query API (queryMore pages); `true` always a Bulk API 2.0
     * query job; `auto` (default) uses Bulk when a read has more than `bulkThreshold` rows.
     */
    bulk: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** Rows above which `bulk: "auto"` switches to a Bulk API 2.0 query job. */
    bulkThreshold: z.number().int().min(0).default(50_000),
    /** Arrow type of currency and percent fields: exact `decimal` (precision and scale from describe) or `double`. */
    currency: z.enum(['decimal', 'double']).default('decimal'),
    /** Include deleted and archived records (`queryAll`). */
    includeDeleted: z.boolean().default(false),
    /** Bulk jobs: first wait between status polls. */
    pollIntervalMs: z.number().int().positive().default(1_000),
    /** Bulk jobs: longest wait between polls (the wait grows by half each poll up to this). */
    maxPollIntervalMs: z.number().int().positive().default(10_000),
    /** Bulk jobs: give up (abort the job, retryable TimeoutError) after this long. */
    jobTimeoutMs: z.number().int().positive().default(30 * 60_000),
    /** Bulk query results: records per results page (`maxRecords`). */
    resultPageSize: z.number().int().positive().max(1_000_000).default(50_000),
    /** Per-request timeout. */
    timeoutMs: z.number().int().positive().default(120_000),
    write: z
      .object({
        /** Bulk ingest operation. */
        operation: z.enum(['insert', 'update', 'upsert', 'delete']).default('insert'),
        /** External id field for `upsert`. */
        externalIdField: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/).optional(),
        /** CSV bytes per ingest job (Bulk API 2.0 takes up to 150 MB of data per job). */
        maxJobBytes: z.number().int().positive().max(100 * 1024 * 1024).default(64 * 1024 * 1024),
        /** A null cell: `keep` leaves the field as it is (empty cell); `clear` sets it to null (`#N/A`). */
        nulls: z.enum(['keep', 'clear']).default('keep'),
      })
      .default({ operation: 'insert', maxJobBytes: 64 * 1024 * 1024, nulls: 'keep' }),
  })
  .superRefine((c, ctx) => {
    if (c.auth.type === 'access_token' && !c.instanceUrl) {
      ctx.addIssue({ code: 'custom', path: ['instanceUrl'], message: "auth type 'access_token' needs the org's instanceUrl (e.g. https://mydomain.my.salesforce.com)" });
    }
    if (c.write.operation === 'upsert' && !c.write.externalIdField) {
      ctx.addIssue({ code: 'custom', path: ['write', 'externalIdField'], message: "write.operation 'upsert' needs write.externalIdField (an External ID field, or Id)" });
    }
  });

export type SalesforceConfig = z.output<typeof salesforceConfigSchema>;
export type SalesforceAuth = z.output<typeof salesforceAuthSchema>;
