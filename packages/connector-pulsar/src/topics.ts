/**
 * Pulsar topic names: `persistent://tenant/namespace/topic` (or `non-persistent://…`), or a short
 * name completed with the config's tenant, namespace and persistence. Partition `n` of a
 * partitioned topic is the topic `<name>-partition-<n>`.
 */
import { InvalidArgumentError } from '@sparkle/core';

export interface TopicName {
  persistence: 'persistent' | 'non-persistent';
  tenant: string;
  namespace: string;
  /** The local name (no tenant, namespace or scheme). */
  local: string;
}

const FULL = /^(persistent|non-persistent):\/\/([\w.-]+)\/([\w.-]+)\/(.+)$/;
const LOCAL = /^[\w.:=-]+$/;

/** Parses a full or short topic name. */
export function topicName(name: string, defaults: { tenant: string; namespace: string; persistence: 'persistent' | 'non-persistent' }): TopicName {
  const full = FULL.exec(name);
  const parsed: TopicName = full
    ? { persistence: full[1] as TopicName['persistence'], tenant: full[2]!, namespace: full[3]!, local: full[4]! }
    : name.split('/').length === 3
      ? { persistence: defaults.persistence, tenant: name.split('/')[0]!, namespace: name.split('/')[1]!, local: name.split('/')[2]! }
      : { ...defaults, local: name };
  if (!LOCAL.test(parsed.local)) {
    throw new InvalidArgumentError(`Invalid Pulsar topic name '${name}': the local name may hold letters, digits, '_', '-', '.', ':' and '=' (or write persistent://tenant/namespace/topic)`, { connector: 'pulsar' });
  }
  return parsed;
}

/** `persistent://tenant/ns/topic`. */
export function fullName(t: TopicName): string {
  return `${t.persistence}://${t.tenant}/${t.namespace}/${t.local}`;
}

/** Partition `n` of a partitioned topic (-1: the topic itself). */
export function partitionTopic(t: TopicName, partition: number): TopicName {
  return partition < 0 ? t : { ...t, local: `${t.local}-partition-${partition}` };
}

/** `persistent/tenant/ns/topic`: the path segment of admin and WebSocket URLs. */
export function restPath(t: TopicName): string {
  return `${t.persistence}/${encodeURIComponent(t.tenant)}/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.local)}`;
}
