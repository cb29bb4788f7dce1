/** Issue 10 item 9: TLS failures classify as CONNECTION_FAILED (details.tls), never as auth. */
import { describe, expect, it } from 'vitest';
import { classifyError, isTlsError } from '../src/classify.js';

function coded(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('TLS classification', () => {
  it.each([
    [coded('The server does not support SSL connections')],
    [coded('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN')],
    [coded('write EPROTO 0080:error:0A00010B:SSL routines:ssl3_get_record:wrong version number', 'EPROTO')],
    [coded('Server does not support secure connection', 'HANDSHAKE_NO_SSL_SUPPORT')],
    [coded('certificate has expired', 'CERT_HAS_EXPIRED')],
    [new Error('connect failed', { cause: coded("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID') })],
  ])('%s is a TLS failure, even when the driver code says auth', (error) => {
    expect(isTlsError(error)).toBe(true);
    const e = classifyError(error, 'pg', 'auth check', [], { authCodes: ['SELF_SIGNED_CERT_IN_CHAIN', 'HANDSHAKE_NO_SSL_SUPPORT', 'CERT_HAS_EXPIRED', 'EPROTO'] });
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.details.tls).toBe(true);
    expect(e.message).toMatch(/^auth check failed: TLS\/SSL negotiation failed: /);
  });

  it('credential failures stay auth failures', () => {
    for (const error of [coded('password authentication failed for user "app"', '28P01'), coded('no pg_hba.conf entry for host "10.0.0.1", user "app", database "x", SSL off', '28000')]) {
      expect(isTlsError(error)).toBe(false);
      expect(classifyError(error, 'pg', 'auth check', [], { authCodes: ['28P01', '28000'] }).code).toBe('AUTHENTICATION_FAILED');
    }
  });
});
