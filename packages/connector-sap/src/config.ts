/**
 * The `sap` config: the API family's fields (service root as `baseUrl`, auth, retries) plus the
 * OData version, SAP client, write settings and optional per-entity-set read settings.
 */
import { z } from 'zod';
import { apiConfigSchema, parseFilter, type Filter } from '@sparkle/core';

const filterSchema = z.unknown().transform((value, ctx): Filter => {
  try {
    return parseFilter(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** Read settings of one entity set. */
export const entitySetReadSchema = z.object({
  /** Properties to read (`$select`). Default: every structural property. */
  select: z.array(z.string().min(1)).min(1).optional(),
  /** Typed filter, turned into `$filter` with OData literals escaped per type. */
  filter: filterSchema.optional(),
  /** `$orderby` terms: a property, optionally followed by `asc`/`desc`. */
  orderBy: z.array(z.string().min(1)).optional(),
  /** Client-driven paging: `$top`/`$skip` pages of this size (server-driven `nextLink`s are followed either way). */
  pageSize: z.number().int().min(1).max(100_000).optional(),
});

/** The `sap` / `sap_odata` config. */
export const sapConfigSchema = apiConfigSchema.extend({
  /** OData version of the service; `auto` reads it from `$metadata` (`Edmx Version` 4.0 → V4, 1.0 → V2). */
  version: z.enum(['auto', 'v2', 'v4']).default('auto'),
  /** SAP client (`sap-client` query parameter on every request), e.g. `"100"`. */
  sapClient: z.string().regex(/^\d{3}$/, 'an SAP client is three digits').optional(),
  /**
   * Language of texts the service returns (`accept-language`), e.g. `"en"`. Unset, fetch's own
   * `accept-language: *` is sent, which some services (the CAP V2 adapter) cannot localize.
   */
  language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language tag such as en or de-DE').optional(),
  /** Read settings by entity set name. */
  entitySets: z.record(z.string().min(1), entitySetReadSchema).default({}),
  /** Pages read at most per read; a service that keeps sending next links then fails instead of looping. */
  maxPages: z.number().int().min(1).default(100_000),
  /**
   * How writes are sent: `auto` (a JSON `$batch` on V4, single POSTs on V2), `batch` (always a JSON
   * `$batch`; V4 only), `single` (one POST per entity, `concurrency` in flight).
   */
  writeMode: z.enum(['auto', 'batch', 'single']).default('auto'),
  /** Entities per `$batch` request. */
  batchSize: z.number().int().min(1).max(1000).default(100),
  /** POSTs in flight at once with single POSTs. */
  concurrency: z.number().int().min(1).max(32).default(4),
  /**
   * CSRF token handling of SAP Gateway services: `auto` fetches a token (`x-csrf-token: fetch`)
   * before the first V2 write, and on any version when a write is refused with
   * `x-csrf-token: Required`; `always` fetches before every write session; `never` does not.
   */
  csrf: z.enum(['auto', 'always', 'never']).default('auto'),
});

export type SapConfig = z.output<typeof sapConfigSchema>;
export type SapEntitySetRead = z.output<typeof entitySetReadSchema>;
