/**
 * The notify capability (SMTP, Slack, webhooks) and the directory capability (LDAP).
 */
import type { Filter } from './filter.js';

/** A file sent with a message. */
export interface Attachment {
  filename: string;
  content: Uint8Array | string;
  contentType?: string;
}

/** One outgoing message; each connector uses the fields its system has and says which it ignores. */
export interface OutgoingMessage {
  /** Recipients: addresses (SMTP), channel ids or names (Slack); webhooks use their configured URL. */
  to?: readonly string[];
  cc?: readonly string[];
  bcc?: readonly string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Structured payload: Slack blocks, a webhook's JSON body. */
  payload?: unknown;
  attachments?: readonly Attachment[];
  /** Deduplicates retried sends where the system takes a key (webhook `Idempotency-Key`). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** What the system said about a sent message. */
export interface SendResult {
  /** Message id / ts / delivery id. */
  id?: string;
  /** Recipients accepted (SMTP) or 1. */
  accepted: number;
  /** Recipients the system refused, with its reason. */
  rejected?: Array<{ recipient: string; reason: string }>;
}

/**
 * The notify capability (`notify`).
 * @example
 * ```ts
 * await mail.send({ to: ['ops@example.test'], subject: 'Load done', text: '1,204 rows', attachments: [{ filename: 'report.csv', content: csv }] });
 * ```
 */
export interface Notifier {
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** One directory entry. Attribute values are always arrays (LDAP attributes are multi-valued). */
export interface DirectoryEntry {
  dn: string;
  attributes: Record<string, string[]>;
}

/** `searchDirectory` options. */
export interface DirectorySearchOptions {
  /** Search base DN; default the connection's base. */
  base?: string;
  scope?: 'base' | 'one' | 'sub';
  /** Typed filter, escaped by the connector into LDAP syntax (RFC 4515). */
  filter?: Filter;
  attributes?: readonly string[];
  /** Entries per page (paged results control). */
  pageSize?: number;
  /** Stop after this many entries. */
  limit?: number;
  signal?: AbortSignal;
}

/** The directory capability (`directory`). */
export interface DirectorySearch {
  searchDirectory(options?: DirectorySearchOptions): AsyncIterable<DirectoryEntry>;
}
