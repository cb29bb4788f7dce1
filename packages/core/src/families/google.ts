/**
 * The Google Cloud part of a connector's config: a service-account key given inline (a secret)
 * or as a key file, checked when the config is validated, so that a broken key is a
 * `CONFIG_INVALID` naming the field and never printing the key. Shared by every Google connector
 * (GCS, Pub/Sub, …) without depending on any Google SDK; omitted credentials mean Application
 * Default Credentials.
 */
import { z } from 'zod';
import { secret } from '../secrets.js';

/** The fields of a service-account key that the clients and Spark use. */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
}

/**
 * Parses an inline service-account key. Returns the reason (never the text, which holds the
 * private key) when it is not one.
 * @example
 * ```ts
 * import { parseServiceAccountKey } from '@sparkle/core';
 * parseServiceAccountKey('{"type":"authorized_user"}'); // "is a 'authorized_user' key, not a service-account key …"
 * ```
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: it must not reach a log.
    return 'is not valid JSON (paste the whole key file, or give credentials.keyFile with its path)';
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'is not a JSON object';
  const key = value as Record<string, unknown>;
  if (key.type !== 'service_account') {
    return `is a '${typeof key.type === 'string' ? key.type : 'unknown'}' key, not a service-account key (type "service_account"); for user or workload credentials use Application Default Credentials (omit credentials)`;
  }
  for (const field of ['client_email', 'private_key'] as const) {
    if (typeof key[field] !== 'string' || key[field] === '') return `has no ${field}`;
  }
  return key as unknown as ServiceAccountKey;
}

/**
 * `credentials` of a Google connection: `serviceAccountJson` (the key file's JSON inline, a
 * secret: write it as `${…_SERVICE_ACCOUNT_JSON}`) or `keyFile` (its path), not both; the inline
 * key is checked here.
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { googleCredentialsSchema } from '@sparkle/core';
 * const schema = z.strictObject({ credentials: googleCredentialsSchema.optional() });
 * schema.parse({ credentials: { keyFile: '/etc/keys/loader.json' } });
 * ```
 */
export const googleCredentialsSchema = z
  .strictObject({
    /** The service-account key file's JSON, inline (a secret). */
    serviceAccountJson: secret(z.string().min(1)).optional(),
    /** Path of a service-account key file (read by this process). */
    keyFile: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.serviceAccountJson !== undefined && c.keyFile !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'give serviceAccountJson or keyFile, not both', path: ['keyFile'] });
    }
    if (c.serviceAccountJson !== undefined) {
      const parsed = parseServiceAccountKey(c.serviceAccountJson);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `the service-account key ${parsed}`, path: ['serviceAccountJson'] });
    }
  });
