/**
 * What the Azure storage connections (`azure_blob`, `adls`) share about where and how they log
 * in: the config shape users write (account, endpoint override, `auth`), the parsing of
 * connection strings, and the credential each auth method becomes. `@sparkle/connector-adls`
 * imports these from here rather than keeping a copy.
 */
import { z } from 'zod';
import { ConfigError, cloudStorageConfigSchema, confineKey, MissingDriverError, secret } from '@sparkle/core';

/** What the storage clients take as an Entra ID credential (`@azure/core-auth`'s TokenCredential, structurally). */
export interface AzureTokenCredential {
  getToken(scopes: string | string[], options?: object): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/**
 * How to log in to the storage account. One of:
 * - `accountKey` — the account's shared key (`fs.azure.account.key.*` in Spark);
 * - `sas` — a shared access signature token (with or without the leading `?`);
 * - `servicePrincipal` — Microsoft Entra ID app: `tenantId`, `clientId`, `clientSecret` (`ClientSecretCredential`);
 * - `managedIdentity` — the host's managed identity (optionally a user-assigned `clientId`);
 * - `default` — `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI …);
 * - `connectionString` — a storage connection string (`AccountName=…;AccountKey=…` or `…;SharedAccessSignature=…`).
 */
export const azureAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('accountKey'), accountKey: secret(z.string().min(1)) }),
  z.object({ type: z.literal('sas'), sasToken: secret(z.string().min(1)) }),
  z.object({
    type: z.literal('servicePrincipal'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: secret(z.string().min(1)),
    /** Entra ID authority for sovereign clouds (default the public cloud's). */
    authorityHost: z.url().optional(),
  }),
  z.object({ type: z.literal('managedIdentity'), clientId: z.string().min(1).optional(), tenantId: z.string().min(1).optional() }),
  z.object({ type: z.literal('default') }),
  z.object({ type: z.literal('connectionString'), connectionString: secret(z.string().min(1)) }),
]);

export type AzureAuth = z.output<typeof azureAuthSchema>;

/** Storage account names: 3–24 lower-case letters and digits. */
const accountName = z.string().regex(/^[a-z0-9]{3,24}$/, 'a storage account name is 3-24 lower-case letters and digits');

/**
 * Config fields both Azure stores share (on top of the object-store ones: `format`, `formatOptions`).
 * The container or filesystem field is each connector's own.
 */
export const azureStorageConfigSchema = cloudStorageConfigSchema.extend({
  /** Storage account name; optional with a connection string that names it. */
  account: accountName.optional(),
  /** Keys live under this prefix of the container (no leading or trailing `/` needed). */
  prefix: z
    .string()
    .optional()
    .transform((p) => (p ?? '').replace(/^\/+|\/+$/g, '')),
  /** Service URL override, e.g. Azurite's `http://127.0.0.1:10000/devstoreaccount1` or a private endpoint. */
  endpoint: z.url().optional(),
  auth: azureAuthSchema.default({ type: 'default' }),
  /** Tries per request on throttling (503 ServerBusy, 500, 429) and dropped connections, with exponential backoff. */
  maxTries: z.number().int().min(1).max(10).default(4),
  /** Block (part) size of streamed uploads, bytes. Memory held by an upload is about blockSize × concurrency. */
  blockSize: z.number().int().min(1024).max(4000 * 1024 * 1024).default(8 * 1024 * 1024),
  /** Blocks uploaded at once. */
  concurrency: z.number().int().min(1).max(64).default(4),
});

export type AzureStorageConfig = z.output<typeof azureStorageConfigSchema>;

/**
 * The check both connectors' schemas end with: `account` is required unless the auth is a
 * connection string (which names it), so a missing account fails when the config is loaded.
 *
 * @example
 * ```ts
 * export const mySchema = azureStorageConfigSchema.extend({ container: containerName }).superRefine(requireAccount);
 * ```
 */
export function requireAccount(config: { account?: string | undefined; auth: AzureAuth }, ctx: z.RefinementCtx): void {
  if (!config.account && config.auth.type !== 'connectionString') {
    ctx.addIssue({ code: 'custom', path: ['account'], message: "'account' is required (the storage account name) unless auth is a connection string that names it" });
  }
}

/** The `key=value;…` pairs of a storage connection string (names as written, e.g. `AccountName`). */
export function parseConnectionString(connectionString: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

/** Azurite's published development account (its key is public, the same in every install). */
const DEV_ACCOUNT = 'devstoreaccount1';
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** How requests are signed, once config and connection string are resolved. */
export type AzureCredentialPlan =
  | { kind: 'sharedKey'; accountKey: string }
  | { kind: 'sas'; sasToken: string }
  | { kind: 'token'; method: 'servicePrincipal' | 'managedIdentity' | 'default' };

/** Where one Azure store lives and how to sign for it. */
export interface AzureTarget {
  account: string;
  /** Service URL without a trailing `/` (e.g. `https://acct.blob.core.windows.net`). */
  serviceUrl: string;
  /** Host suffix after `<account>.<service>.` used in Hadoop URIs and keys (`core.windows.net`). */
  endpointSuffix: string;
  credential: AzureCredentialPlan;
}

/**
 * Resolves account, service URL and credential plan from a config; `service` picks the
 * `blob` or `dfs` endpoint. Connection strings may name the account, endpoints and key or SAS.
 *
 * @example
 * ```ts
 * resolveAzureTarget({ account: 'lake', auth: { type: 'accountKey', accountKey: 'k' } } as AzureStorageConfig, 'dfs', 'adls');
 * // { account: 'lake', serviceUrl: 'https://lake.dfs.core.windows.net', endpointSuffix: 'core.windows.net', credential: { kind: 'sharedKey', accountKey: 'k' } }
 * ```
 */
export function resolveAzureTarget(config: AzureStorageConfig, service: 'blob' | 'dfs', connector: string): AzureTarget {
  const auth = config.auth;
  let account = config.account;
  let endpoint = config.endpoint;
  let suffix = 'core.windows.net';
  let credential: AzureCredentialPlan;
  switch (auth.type) {
    case 'accountKey':
      credential = { kind: 'sharedKey', accountKey: auth.accountKey };
      break;
    case 'sas':
      credential = { kind: 'sas', sasToken: auth.sasToken.replace(/^\?/, '') };
      break;
    case 'connectionString': {
      const cs = parseConnectionString(auth.connectionString);
      if (/^true$/i.test(cs.UseDevelopmentStorage ?? '')) {
        account ??= DEV_ACCOUNT;
        endpoint ??= `http://127.0.0.1:10000/${DEV_ACCOUNT}`;
        credential = { kind: 'sharedKey', accountKey: DEV_KEY };
        break;
      }
      account ??= cs.AccountName;
      suffix = cs.EndpointSuffix ?? suffix;
      endpoint ??= service === 'blob' ? cs.BlobEndpoint : (cs.DfsEndpoint ?? cs.BlobEndpoint?.replace('.blob.', '.dfs.'));
      if (cs.AccountKey) credential = { kind: 'sharedKey', accountKey: cs.AccountKey };
      else if (cs.SharedAccessSignature) credential = { kind: 'sas', sasToken: cs.SharedAccessSignature.replace(/^\?/, '') };
      else {
        throw new ConfigError('CONFIG_INVALID', 'auth.connectionString has neither AccountKey nor SharedAccessSignature; copy the full connection string from the portal (Access keys)', {
          connector,
          details: { path: 'auth.connectionString' },
        });
      }
      if (cs.DefaultEndpointsProtocol === 'http' && !endpoint && account) endpoint = `http://${account}.${service}.${suffix}`;
      break;
    }
    default:
      credential = { kind: 'token', method: auth.type };
  }
  if (!account) {
    throw new ConfigError('CONFIG_INVALID', "'account' is required (the storage account name), unless auth.connectionString names it with AccountName=", {
      connector,
      details: { path: 'account' },
    });
  }
  const serviceUrl = (endpoint ?? `https://${account}.${service}.${suffix}`).replace(/\/+$/, '');
  // A custom domain of the form <account>.<service>.<suffix> (sovereign clouds) keeps its suffix for Hadoop URIs.
  const host = new URL(serviceUrl).hostname;
  const hostPrefix = `${account}.${service}.`;
  if (host.startsWith(hostPrefix)) suffix = host.slice(hostPrefix.length);
  return { account, serviceUrl, endpointSuffix: suffix, credential };
}

/** Checks a container/filesystem prefix config value lies inside the container (no `..`). */
export function confinedPrefix(prefix: string, connector: string): string {
  return prefix === '' ? '' : confineKey(prefix, connector, 'prefix');
}

/**
 * The `TokenCredential` of a token-based auth method, from `@azure/identity` (imported lazily).
 *
 * @example
 * ```ts
 * const credential = await tokenCredential({ type: 'servicePrincipal', tenantId, clientId, clientSecret }, 'azure_blob');
 * ```
 */
export async function tokenCredential(auth: AzureAuth, connector: string): Promise<AzureTokenCredential> {
  let identity: typeof import('@azure/identity');
  try {
    identity = await import('@azure/identity');
  } catch (cause) {
    throw new MissingDriverError(connector, '@azure/identity', cause);
  }
  switch (auth.type) {
    case 'servicePrincipal':
      return new identity.ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret, auth.authorityHost ? { authorityHost: auth.authorityHost } : {});
    case 'managedIdentity':
      return auth.clientId ? new identity.ManagedIdentityCredential({ clientId: auth.clientId }) : new identity.ManagedIdentityCredential();
    case 'default':
      return new identity.DefaultAzureCredential();
    default:
      throw new ConfigError('CONFIG_INVALID', `auth.type '${auth.type}' does not use a token credential`, { connector, details: { path: 'auth.type' } });
  }
}
