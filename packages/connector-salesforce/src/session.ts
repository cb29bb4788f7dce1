/**
 * Logging in with jsforce, one flow per `auth.type`:
 * - `password`: the OAuth 2.0 username-password flow (client id + secret, password + security
 *   token). jsforce would fall back to the SOAP `login()` call without a client secret; Salesforce
 *   retires that call, so the config requires the connected app and jsforce never takes that path.
 * - `jwt`: the JWT bearer flow; the assertion is signed here (RS256, node:crypto) and posted by
 *   jsforce's `authorize()`. A session that expires is renewed by signing a new assertion.
 * - `refresh_token`: jsforce's refresh-token grant; jsforce renews an expired session by itself.
 * - `access_token`: a given session; nothing can renew it.
 */
import { createPrivateKey, sign } from 'node:crypto';
import type { Connection } from 'jsforce';
import { InvalidArgumentError, MissingDriverError } from '@sparkle/core';
import type { SalesforceConfig } from './config.js';

/** The JWT bearer grant type. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * A signed JWT bearer assertion (`iss` client id, `sub` username, `aud` login URL, 3-minute `exp`).
 * @example
 * ```ts
 * const assertion = jwtAssertion({ clientId: '3MVG…', username: 'etl@example.com', audience: 'https://login.salesforce.com', privateKey: pem });
 * ```
 */
export function jwtAssertion(options: { clientId: string; username: string; audience: string; privateKey: string; now?: number }, connector = 'salesforce'): string {
  let key;
  try {
    key = createPrivateKey(options.privateKey);
  } catch (cause) {
    // The key itself must never reach a message; only what kind of problem it has.
    throw new InvalidArgumentError(`${connector}: auth.privateKey is not a readable PEM private key (${(cause as { code?: string }).code ?? 'unreadable'}); give the connected app's key in PKCS#8 or PKCS#1 PEM`, { connector, details: { field: 'auth.privateKey' } });
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ iss: options.clientId, sub: options.username, aud: options.audience, exp: now + 180 }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), key).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

async function loadJsforce(connector: string): Promise<{ Connection: typeof import('jsforce').Connection }> {
  try {
    return await import('jsforce');
  } catch (cause) {
    throw new MissingDriverError(connector, 'jsforce', cause);
  }
}

/**
 * A logged-in jsforce connection for the config. Errors are jsforce's (the caller types them).
 */
export async function openSession(config: SalesforceConfig, connector: string): Promise<Connection> {
  const { Connection } = await loadJsforce(connector);
  const auth = config.auth;
  const common = { loginUrl: config.loginUrl, version: config.apiVersion, logLevel: 'FATAL' as const };
  switch (auth.type) {
    case 'password': {
      const conn = new Connection({ ...common, oauth2: { loginUrl: config.loginUrl, clientId: auth.clientId, clientSecret: auth.clientSecret } });
      await conn.login(auth.username, `${auth.password}${auth.securityToken ?? ''}`);
      return conn;
    }
    case 'jwt': {
      const assertion = () => jwtAssertion({ clientId: auth.clientId, username: auth.username, audience: auth.audience ?? config.loginUrl, privateKey: auth.privateKey }, connector);
      const conn: Connection = new Connection({
        ...common,
        oauth2: { loginUrl: config.loginUrl, clientId: auth.clientId },
        // jsforce calls this when the API answers 401 INVALID_SESSION_ID: a fresh assertion, a fresh session.
        refreshFn: (c, callback) => {
          c.oauth2
            .requestToken({ grant_type: JWT_BEARER_GRANT, assertion: assertion() })
            .then((res) => callback(null, res.access_token, res))
            .catch((error: Error) => callback(error));
        },
      });
      await conn.authorize({ grant_type: JWT_BEARER_GRANT, assertion: assertion() });
      return conn;
    }
    case 'refresh_token': {
      const conn = new Connection({
        ...common,
        oauth2: { loginUrl: config.loginUrl, clientId: auth.clientId, ...(auth.clientSecret ? { clientSecret: auth.clientSecret } : {}) },
        ...(config.instanceUrl ? { instanceUrl: config.instanceUrl } : {}),
        refreshToken: auth.refreshToken,
      });
      const res = await conn.oauth2.refreshToken(auth.refreshToken);
      conn.accessToken = res.access_token;
      conn.instanceUrl = res.instance_url ?? conn.instanceUrl;
      return conn;
    }
    case 'access_token':
      return new Connection({ ...common, instanceUrl: config.instanceUrl!, accessToken: auth.accessToken });
  }
}

/** Renews the session after a 401 on a call jsforce did not make (Bulk CSV transfers); false when it cannot. */
export async function renewSession(conn: Connection, config: SalesforceConfig, connector: string): Promise<boolean> {
  const auth = config.auth;
  switch (auth.type) {
    case 'access_token':
      return false;
    case 'refresh_token': {
      const res = await conn.oauth2.refreshToken(auth.refreshToken);
      conn.accessToken = res.access_token;
      return true;
    }
    case 'password':
      await conn.login(auth.username, `${auth.password}${auth.securityToken ?? ''}`);
      return true;
    case 'jwt':
      await conn.authorize({ grant_type: JWT_BEARER_GRANT, assertion: jwtAssertion({ clientId: auth.clientId, username: auth.username, audience: auth.audience ?? config.loginUrl, privateKey: auth.privateKey }, connector) });
      return true;
  }
}
