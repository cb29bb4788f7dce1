/**
 * The calls Sparkle makes to Pulsar's admin REST API (`/admin/v2`), over core's HTTP client:
 * partition counts, last message ids, message ids by time, topic stats, topic lists, topic and
 * subscription creation. Metadata only: none of them reads a message.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import { bearerAuth, createHttpClient, HttpError, type HttpClient } from '@sparkle/core';
import { partitionTopic, restPath, type TopicName } from './topics.js';

/** A message id as the admin API writes it. */
export interface AdminMessageId {
  ledgerId: number;
  entryId: number;
  partitionIndex?: number;
  batchIndex?: number;
}

/** Options of {@link PulsarAdmin}. */
export interface AdminOptions {
  webServiceUrl: string;
  token?: string;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  timeoutMs: number;
  connector: string;
}

/** Topic statistics, as much of them as Sparkle reports. */
export interface TopicStats {
  msgInCounter?: number;
  bytesInCounter?: number;
  storageSize?: number;
  publishers?: unknown[];
  subscriptions?: Record<string, { msgBacklog?: number; type?: string; consumers?: unknown[] }>;
}

/** The admin REST API of one cluster. */
export class PulsarAdmin {
  readonly http: HttpClient;

  constructor(options: AdminOptions) {
    const agent = options.tls ? new Agent({ connect: { ...options.tls } }) : undefined;
    this.http = createHttpClient({
      baseUrl: `${options.webServiceUrl.replace(/\/+$/, '')}/admin/v2`,
      ...(options.token ? { auth: bearerAuth(options.token) } : {}),
      timeoutMs: options.timeoutMs,
      retry: { attempts: 3, baseDelayMs: 200 },
      connector: options.connector,
      // A private CA or client certificate needs undici's own agent; core's default is global fetch.
      ...(agent ? { fetch: ((url: string, init: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch } : {}),
    });
  }

  /** Partitions of a partitioned topic; 0 for a non-partitioned one; `null` when the broker says the topic does not exist. */
  async partitions(topic: TopicName, signal?: AbortSignal): Promise<number | null> {
    try {
      const meta = await this.http.getJson<{ partitions: number }>(`${restPath(topic)}/partitions`, { ...(signal ? { signal } : {}) });
      return meta.partitions ?? 0;
    } catch (error) {
      // Pulsar 4 answers 404 for a missing topic; older brokers answer 0 partitions.
      if (error instanceof HttpError && error.status === 404 && /topic .*not found/i.test(error.message)) return null;
      throw error;
    }
  }

  /** The id of the last message of a (partition) topic; entryId -1 when it holds none. */
  lastMessageId(topic: TopicName, signal?: AbortSignal): Promise<AdminMessageId> {
    return this.http.getJson<AdminMessageId>(`${restPath(topic)}/lastMessageId`, { ...(signal ? { signal } : {}) });
  }

  /** The id of the first message published at or after `time` (Pulsar's publish time). */
  async messageIdAt(topic: TopicName, time: Date, signal?: AbortSignal): Promise<AdminMessageId | undefined> {
    try {
      return await this.http.getJson<AdminMessageId>(`${restPath(topic)}/messageid/${time.getTime()}`, { ...(signal ? { signal } : {}) });
    } catch (error) {
      // 404 "message ID not found": nothing was published at or after that time.
      if (error instanceof HttpError && error.status === 404 && /message ?id/i.test(error.message)) return undefined;
      throw error;
    }
  }

  /** Stats of a topic (`partitioned-stats` for a partitioned one). */
  stats(topic: TopicName, partitioned: boolean, signal?: AbortSignal): Promise<TopicStats> {
    return this.http.getJson<TopicStats>(`${restPath(topic)}/${partitioned ? 'partitioned-stats' : 'stats'}`, { ...(signal ? { signal } : {}) });
  }

  /** Namespaces of a tenant (`tenant/namespace`). */
  namespaces(tenant: string, signal?: AbortSignal): Promise<string[]> {
    return this.http.getJson<string[]>(`namespaces/${encodeURIComponent(tenant)}`, { ...(signal ? { signal } : {}) });
  }

  /** Every topic of a namespace, full names: partitions of partitioned topics included. */
  topics(persistence: 'persistent' | 'non-persistent', tenant: string, namespace: string, signal?: AbortSignal): Promise<string[]> {
    return this.http.getJson<string[]>(`${persistence}/${encodeURIComponent(tenant)}/${encodeURIComponent(namespace)}`, { ...(signal ? { signal } : {}) });
  }

  /** Partitioned topics of a namespace (full names). */
  partitionedTopics(persistence: 'persistent' | 'non-persistent', tenant: string, namespace: string, signal?: AbortSignal): Promise<string[]> {
    return this.http.getJson<string[]>(`${persistence}/${encodeURIComponent(tenant)}/${encodeURIComponent(namespace)}/partitioned`, { ...(signal ? { signal } : {}) });
  }

  /** Creates a topic: partitioned with `partitions` > 0, else non-partitioned. `false` when it existed. */
  async createTopic(topic: TopicName, partitions: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.http.request({ method: 'PUT', path: partitions > 0 ? `${restPath(topic)}/partitions` : restPath(topic), ...(partitions > 0 ? { json: partitions } : {}), ...(signal ? { signal } : {}) });
      return true;
    } catch (error) {
      if (error instanceof HttpError && error.status === 409) return false;
      throw error;
    }
  }

  /** Creates a subscription positioned at the earliest retained message; an existing one is left as it is. */
  async createSubscriptionAtEarliest(topic: TopicName, subscription: string, signal?: AbortSignal): Promise<void> {
    try {
      // Pulsar's MessageId.earliest is (-1, -1).
      await this.http.request({ method: 'PUT', path: `${restPath(topic)}/subscription/${encodeURIComponent(subscription)}`, json: { ledgerId: -1, entryId: -1, partitionIndex: -1 }, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof HttpError && error.status === 409) return;
      throw error;
    }
  }
}

/** The partition topics of `topic` (`[topic]` itself when it is not partitioned). */
export function partitionTopics(topic: TopicName, partitions: number): Array<{ id: number; topic: TopicName }> {
  return partitions > 0 ? Array.from({ length: partitions }, (_, id) => ({ id, topic: partitionTopic(topic, id) })) : [{ id: -1, topic }];
}
