/**
 * The Hadoop configuration keys Spark needs to reach an Azure store, per auth method: the WASB
 * driver (`wasbs://`, hadoop-azure's NativeAzureFileSystem) for Blob Storage and the ABFS driver
 * (`abfss://`) for ADLS Gen2. Keys are account-scoped (`….<account>.<service>.<suffix>`), so
 * two accounts in one Spark session do not share credentials. Secrets are listed in
 * `secretOptions`.
 */
import { UnsupportedOperationError, type SparkHadoopOptions } from '@sparkle/core';
import type { AzureAuth, AzureTarget } from './azure-config.js';

/**
 * `wasbs://` keys: the account key (`fs.azure.account.key.<account>.blob.<suffix>`) or a
 * container SAS (`fs.azure.sas.<container>.<account>.blob.<suffix>`). The WASB driver has no
 * Entra ID (OAuth) support: those auth methods fail with a message pointing at `abfss://`.
 *
 * @example
 * ```ts
 * wasbsHadoopOptions(target, 'raw', { type: 'accountKey', accountKey: k }, 'azure_blob');
 * // { options: { 'fs.azure.account.key.lake.blob.core.windows.net': k }, secretOptions: ['fs.azure.account.key.lake.blob.core.windows.net'] }
 * ```
 */
export function wasbsHadoopOptions(target: AzureTarget, container: string, auth: AzureAuth, connector: string): SparkHadoopOptions {
  const host = `${target.account}.blob.${target.endpointSuffix}`;
  if (target.credential.kind === 'sharedKey') {
    const key = `fs.azure.account.key.${host}`;
    return { options: { [key]: target.credential.accountKey }, secretOptions: [key] };
  }
  if (target.credential.kind === 'sas') {
    const key = `fs.azure.sas.${container}.${host}`;
    return { options: { [key]: target.credential.sasToken }, secretOptions: [key] };
  }
  throw new UnsupportedOperationError(
    `Spark's wasbs:// driver accepts only an account key or a SAS token, not auth.type '${auth.type}'; use the account key or a SAS for Spark, or read the same account as ADLS Gen2 (type 'adls', abfss://) with Entra ID`,
    { connector },
  );
}

/**
 * `abfss://` keys of the ABFS driver: `SharedKey` (account key), `SAS` (a fixed token,
 * hadoop-azure 3.3.5+), or `OAuth` with the client-credentials or managed-identity token
 * provider. `default` adds nothing: Spark then uses whatever the server's own Hadoop
 * configuration says for the account.
 *
 * @example
 * ```ts
 * abfssHadoopOptions(target, { type: 'servicePrincipal', tenantId: 't', clientId: 'c', clientSecret: 's' });
 * // fs.azure.account.auth.type.lake.dfs.core.windows.net = OAuth, …oauth2.client.id…, …oauth2.client.secret… (secret)
 * ```
 */
export function abfssHadoopOptions(target: AzureTarget, auth: AzureAuth): SparkHadoopOptions {
  const host = `${target.account}.dfs.${target.endpointSuffix}`;
  const at = (key: string) => `${key}.${host}`;
  if (target.credential.kind === 'sharedKey') {
    return {
      options: { [at('fs.azure.account.auth.type')]: 'SharedKey', [at('fs.azure.account.key')]: target.credential.accountKey },
      secretOptions: [at('fs.azure.account.key')],
    };
  }
  if (target.credential.kind === 'sas') {
    return {
      options: { [at('fs.azure.account.auth.type')]: 'SAS', [at('fs.azure.sas.fixed.token')]: target.credential.sasToken },
      secretOptions: [at('fs.azure.sas.fixed.token')],
    };
  }
  if (auth.type === 'servicePrincipal') {
    const authority = (auth.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    return {
      options: {
        [at('fs.azure.account.auth.type')]: 'OAuth',
        [at('fs.azure.account.oauth.provider.type')]: 'org.apache.hadoop.fs.azurebfs.oauth2.ClientCredsTokenProvider',
        [at('fs.azure.account.oauth2.client.id')]: auth.clientId,
        [at('fs.azure.account.oauth2.client.secret')]: auth.clientSecret,
        [at('fs.azure.account.oauth2.client.endpoint')]: `${authority}/${auth.tenantId}/oauth2/token`,
      },
      secretOptions: [at('fs.azure.account.oauth2.client.secret')],
    };
  }
  if (auth.type === 'managedIdentity') {
    return {
      options: {
        [at('fs.azure.account.auth.type')]: 'OAuth',
        [at('fs.azure.account.oauth.provider.type')]: 'org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider',
        ...(auth.clientId ? { [at('fs.azure.account.oauth2.client.id')]: auth.clientId } : {}),
        ...(auth.tenantId ? { [at('fs.azure.account.oauth2.msi.tenant')]: auth.tenantId } : {}),
      },
      secretOptions: [],
    };
  }
  return { options: {}, secretOptions: [] };
}
