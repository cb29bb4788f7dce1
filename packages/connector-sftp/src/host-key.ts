/**
 * Host-key pinning: the fingerprint of the key a server presents, in OpenSSH's SHA-256 form, and
 * the typed error for a key that does not match the pinned one.
 */
import { createHash } from 'node:crypto';
import { SparkleError } from '@sparkle/core';

/**
 * OpenSSH's fingerprint of a raw public key blob: `SHA256:` + unpadded base64 of its SHA-256.
 * @example
 * ```ts
 * sshFingerprint(Buffer.from(pubLine.split(' ')[1]!, 'base64')); // 'SHA256:ow4g…'
 * ```
 */
export function sshFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The server presented a host key other than the pinned one: the connection is refused. Not retryable. */
export class HostKeyMismatchError extends SparkleError {
  readonly presented: string;
  constructor(connector: string, where: string, presented: string, expected: readonly string[]) {
    super(
      'AUTHENTICATION_FAILED',
      `${connector}: ${where} presented host key ${presented}, which is not the pinned hostKeyFingerprint (${expected.join(', ')}); refused to connect. ` +
        'Either the server\'s key changed or someone is in the middle. If the key really changed, check it out of band and update hostKeyFingerprint (ssh-keyscan -p PORT HOST | ssh-keygen -lf -).',
      { connector, retryable: false, details: { presented, expected: [...expected], where } },
    );
    this.presented = presented;
  }
}
