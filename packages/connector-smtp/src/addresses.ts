/**
 * Recipient checks before anything is sent: each address is parsed on its own, so a list with one
 * bad entry is reported per address rather than as one opaque failure of the whole message.
 */

/** `local@domain` with no spaces, brackets or separators; or `Name <local@domain>`. */
const BARE = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+\.[^\s@<>(),;:"\\[\]]+$|^[^\s@<>(),;:"\\[\]]+@localhost$/i;
const NAMED = /^[^<>]*<([^<>]+)>$/;

/** The address part of a recipient, or undefined when it is not a valid address. */
export function addressOf(recipient: string): string | undefined {
  const trimmed = recipient.trim();
  const named = NAMED.exec(trimmed);
  const address = named ? named[1]!.trim() : trimmed;
  return BARE.test(address) ? address : undefined;
}

/** The recipients that are not valid addresses, each with why. */
export function invalidRecipients(recipients: readonly string[]): Array<{ recipient: string; reason: string }> {
  return recipients
    .filter((r) => addressOf(r) === undefined)
    .map((recipient) => ({ recipient, reason: recipient.includes(',') || recipient.includes(';') ? 'one address per entry (split lists into separate entries)' : 'not an e-mail address (local@domain)' }));
}
