/**
 * The `jira` config: the API family's fields (base URL, headers, retries) with Jira's own auth
 * shapes (email + API token, a Data Center personal access token, an OAuth 2.0 access token) and
 * named JQL queries built from typed filters.
 */
import { z } from 'zod';
import { apiAuthSchema, apiConfigSchema, parseFilter, secret, type Filter } from '@sparkle/core';

/** Jira's own auth shapes, next to the API family's (`bearer` is an OAuth 2.0 access token). */
export const jiraAuthSchema = z.discriminatedUnion('type', [
  ...apiAuthSchema.options,
  /** Jira Cloud: the account's email and an API token, sent as HTTP Basic. */
  z.object({ type: z.literal('api_token'), email: z.string().min(1), apiToken: secret(z.string().min(1)) }),
  /** Jira Data Center: a personal access token, sent as `Authorization: Bearer`. */
  z.object({ type: z.literal('pat'), token: secret(z.string().min(1)) }),
]);

/** A typed filter as it sits in JSON config (checked by core's `parseFilter`). */
const filterSchema = z.unknown().transform((value, ctx): Filter => {
  try {
    return parseFilter(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** One named query: what `readTable('<name>')` reads. */
export const jiraQuerySchema = z.object({
  /** Project key the query is limited to (`project = "KEY"`). */
  project: z.string().min(1).optional(),
  /** Typed filter, turned into JQL with every value quoted and escaped. */
  filter: filterSchema.optional(),
  /**
   * Hand-written JQL, ANDed with `project` and `filter`. It is sent as written: never put
   * untrusted values in it (use `filter`, whose values are escaped).
   */
  jql: z.string().min(1).optional(),
  /** `ORDER BY` terms: field ids or names, optionally followed by `ASC`/`DESC`. */
  orderBy: z.array(z.string().min(1)).optional(),
  /** Fields to read (ids such as `customfield_10016` or names such as `Story Points`). Default: the connection's `fields`. */
  fields: z.array(z.string().min(1)).min(1).optional(),
});

/** Fields read when neither the query nor the connection names any. */
export const DEFAULT_FIELDS = ['summary', 'status', 'issuetype', 'priority', 'assignee', 'reporter', 'created', 'updated', 'labels', 'description'] as const;

/** The `jira` / `atlassian_jira` config. */
export const jiraConfigSchema = apiConfigSchema.extend({
  auth: jiraAuthSchema.default({ type: 'none' }),
  /** `cloud` (REST v3, enhanced JQL search) or `datacenter` (REST v2, startAt/maxResults search). */
  deployment: z.enum(['cloud', 'datacenter']).default('cloud'),
  healthPath: z.string().default('/rest/api/3/myself'),
  /** Named queries; a name that is not one reads the project with that key. */
  queries: z.record(z.string().min(1), jiraQuerySchema).default({}),
  /** Fields read by default. */
  fields: z.array(z.string().min(1)).min(1).default([...DEFAULT_FIELDS]),
  /** Issues per search page (Jira caps it, commonly at 100). */
  pageSize: z.number().int().min(1).max(5000).default(100),
  /** Pages read at most; a search that still has more then fails instead of looping on. */
  maxPages: z.number().int().min(1).default(10_000),
  /** Rich-text fields (Atlassian Document Format) as plain text; false keeps the document as JSON text. */
  flattenAdf: z.boolean().default(true),
  /** Issues per bulk-create request (Jira accepts at most 50). */
  createBatchSize: z.number().int().min(1).max(50).default(50),
});

export type JiraConfig = z.output<typeof jiraConfigSchema>;
export type JiraQuery = z.output<typeof jiraQuerySchema>;
export type JiraAuthConfig = z.output<typeof jiraAuthSchema>;
