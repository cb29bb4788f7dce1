/**
 * What a DataFrame, a reader, a writer or a session shows when printed (`toString`,
 * `util.inspect`, `console.log`, `JSON.stringify`): the plan as JSON with every secret option
 * value replaced. Plans carry data-source options — a JDBC `password`, a `url` with
 * `password=` in it, `kafka.sasl.jaas.config` — so printing the raw protobuf object would print
 * them (issue: inspecting a Spark DataFrame printed the JDBC password).
 */
import { toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { looksSecret, redactText, REDACTED } from '@sparkle/core';

/** Option keys that hold secrets in Spark data sources beyond what `looksSecret` recognises by name. */
const SECRET_OPTION = /(^|\.)(password|passwd|pwd|token|secret|jaas\.config|sas|accountkey|credentials?|private[._-]?key|key)$/i;

function isSecretKey(key: string): boolean {
  return looksSecret(key) || SECRET_OPTION.test(key);
}

/** Deep copy of plain JSON with secret-keyed values replaced and URL/connection-string secrets scrubbed. */
export function redactJson(value: unknown, key?: string): unknown {
  if (key !== undefined && isSecretKey(key) && typeof value === 'string' && value !== '') return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactJson(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // Options are protobuf maps: `{ options: { password: '…' } }` — the key decides.
    for (const [k, v] of Object.entries(value)) out[k] = redactJson(v, k);
    return out;
  }
  return value;
}

/** A protobuf message as redacted JSON; undefined when it cannot be rendered. */
export function redactedMessage<D extends DescMessage>(schema: D, message: MessageShape<D>): unknown {
  try {
    return redactJson(toJson(schema, message, { alwaysEmitImplicit: false }));
  } catch {
    return undefined;
  }
}

/** Redacted options of a reader or writer. */
export function redactedOptions(options: Record<string, string>): Record<string, string> {
  return redactJson(options) as Record<string, string>;
}
