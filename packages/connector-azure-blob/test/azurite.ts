/**
 * Test helpers for Azurite: the config of a connection to a fresh container in its development
 * account (from the variables tools/services/ensure-azurite.sh prints), and a raw SDK client
 * for arranging state behind the connection's back.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

export interface Azurite {
  url: string;
  account: string;
  key: string;
}

/** Azurite's coordinates from the environment the global setup filled in. */
export function azurite(): Azurite {
  const url = process.env.SPARKLE_TEST_AZURITE_BLOB_URL;
  const account = process.env.SPARKLE_TEST_AZURITE_ACCOUNT;
  const key = process.env.SPARKLE_TEST_AZURITE_KEY;
  if (!url || !account || !key) throw new Error('SPARKLE_TEST_AZURITE_* are not set: the global setup (ensure-azurite.sh) did not run');
  return { url, account, key };
}

/** The development account's blob service, through the real SDK. */
export function rawService(): BlobServiceClient {
  const a = azurite();
  return new BlobServiceClient(a.url, new StorageSharedKeyCredential(a.account, a.key));
}

/** Creates a uniquely named container and returns the `azure_blob` config of a connection to it. */
export async function freshContainer(label: string, extra: Record<string, unknown> = {}): Promise<{ container: string; config: Record<string, unknown> }> {
  const a = azurite();
  const container = `${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  await rawService().getContainerClient(container).create();
  return { container, config: { account: a.account, container, endpoint: a.url, auth: { type: 'accountKey', accountKey: a.key }, ...extra } };
}
