/**
 * Arrow columns from proto message types (not inferred from data): scalars map to Arrow types,
 * nested messages to structs, `repeated` to lists, enums to their names, maps and recursive
 * messages to JSON text. Values decoded by proto-loader (longs as decimal strings, bytes as
 * Buffers) are converted to what the columns hold.
 */
import type { PackageDefinition } from '@grpc/proto-loader';
import type { ColumnSpec, ColumnType } from '@sparkle/core';

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  options?: { mapEntry?: boolean } | null;
}

/** A message type found in a package definition: its full name and descriptor. */
export interface MessageType {
  fullName: string;
  descriptor: MessageDescriptor;
}

const SCALARS: Record<string, ColumnType> = {
  TYPE_DOUBLE: 'float64',
  TYPE_FLOAT: 'float64',
  TYPE_INT32: 'int32',
  TYPE_SINT32: 'int32',
  TYPE_SFIXED32: 'int32',
  // Unsigned 32-bit values exceed int32: they go to int64.
  TYPE_UINT32: 'int64',
  TYPE_FIXED32: 'int64',
  TYPE_INT64: 'int64',
  TYPE_SINT64: 'int64',
  TYPE_SFIXED64: 'int64',
  TYPE_UINT64: 'int64',
  TYPE_FIXED64: 'int64',
  TYPE_BOOL: 'bool',
  TYPE_STRING: 'utf8',
  TYPE_BYTES: 'binary',
  TYPE_ENUM: 'utf8',
};

/** Nested messages deeper than this (recursive types) become JSON text. */
const MAX_DEPTH = 8;

/** Looks up a message type by name as protobuf resolves it: from the innermost scope outwards. */
export function findMessage(definition: PackageDefinition, typeName: string, scope = ''): MessageType | undefined {
  const name = typeName.replace(/^\./, '');
  const parts = scope ? scope.split('.') : [];
  for (let i = typeName.startsWith('.') ? 0 : parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), name].join('.');
    const entry = definition[candidate] as { type?: MessageDescriptor; format?: string } | undefined;
    if (entry?.type && Array.isArray(entry.type.field)) return { fullName: candidate, descriptor: entry.type };
    if (typeName.startsWith('.')) break;
  }
  return undefined;
}

/** How one field maps to a column, with what converts its decoded values. */
interface FieldPlan {
  name: string;
  type: ColumnType;
  convert: (value: unknown) => unknown;
}

function scalarConvert(protoType: string): (value: unknown) => unknown {
  if (SCALARS[protoType] === 'int64') return (v) => (v === null || v === undefined || v === '' ? null : BigInt(v as string | number));
  if (protoType === 'TYPE_BYTES') return (v) => (v instanceof Uint8Array ? new Uint8Array(v) : v ?? null);
  return (v) => v ?? null;
}

function fieldPlan(definition: PackageDefinition, field: FieldDescriptor, scope: string, depth: number): FieldPlan {
  const repeated = field.label === 'LABEL_REPEATED';
  let type: ColumnType;
  let convert: (value: unknown) => unknown;
  if (field.type === 'TYPE_MESSAGE') {
    const message = findMessage(definition, field.typeName, scope);
    if (!message || message.descriptor.options?.mapEntry || depth >= MAX_DEPTH) {
      // Maps, recursive types and types the loader did not surface are kept whole, as JSON text.
      return { name: field.name, type: 'utf8', convert: (v) => (v === null || v === undefined ? null : JSON.stringify(v, jsonSafe)) };
    }
    const plan = messagePlan(definition, message, depth + 1);
    type = { struct: plan.columns };
    convert = (v) => (v === null || v === undefined ? null : plan.convert(v as Record<string, unknown>));
  } else {
    const scalar = SCALARS[field.type];
    if (!scalar) return { name: field.name, type: 'utf8', convert: (v) => (v === null || v === undefined ? null : String(v)) };
    type = scalar;
    convert = scalarConvert(field.type);
  }
  if (!repeated) return { name: field.name, type, convert };
  return { name: field.name, type: { list: type }, convert: (v) => (Array.isArray(v) ? v.map(convert) : null) };
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return Buffer.from((value as { data: number[] }).data).toString('base64');
  return value;
}

/** The columns of a message type and the converter of its decoded values into rows. */
export function messagePlan(definition: PackageDefinition, message: MessageType, depth = 0): { columns: ColumnSpec[]; convert: (value: Record<string, unknown>) => Record<string, unknown> } {
  const fields = message.descriptor.field.map((f) => fieldPlan(definition, f, message.fullName, depth));
  return {
    columns: fields.map((f) => ({ name: f.name, type: f.type, nullable: true })),
    convert: (value) => {
      const row: Record<string, unknown> = {};
      for (const f of fields) row[f.name] = f.convert(value[f.name]);
      return row;
    },
  };
}

/**
 * What a record path selects in a message type: the message of the rows (a repeated message
 * field) or a scalar list read as one `value` column. '' selects the message itself (one row).
 */
export function rowsAt(definition: PackageDefinition, message: MessageType, path: string): { kind: 'message'; message: MessageType; repeated: boolean } | { kind: 'scalar'; field: FieldDescriptor; scope: string } | { error: string } {
  let current = message;
  const tokens = path === '' ? [] : path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const field = current.descriptor.field.find((f) => f.name === token);
    if (!field) return { error: `message '${current.fullName}' has no field '${token}' (fields: ${current.descriptor.field.map((f) => f.name).join(', ') || 'none'})` };
    const last = i === tokens.length - 1;
    if (field.type !== 'TYPE_MESSAGE') {
      if (last && field.label === 'LABEL_REPEATED') return { kind: 'scalar', field, scope: current.fullName };
      return { error: `field '${token}' of '${current.fullName}' is a ${field.type.replace('TYPE_', '').toLowerCase()}${field.label === 'LABEL_REPEATED' ? ' list' : ''}, not a list of records` };
    }
    const next = findMessage(definition, field.typeName, current.fullName);
    if (!next) return { error: `type '${field.typeName}' of field '${token}' is not in the proto` };
    if (last) return { kind: 'message', message: next, repeated: field.label === 'LABEL_REPEATED' };
    if (field.label === 'LABEL_REPEATED') {
      // Through a list only by index (`/items/0/tags`): one element, then on into its fields.
      if (!/^(0|[1-9][0-9]*)$/.test(tokens[i + 1]!)) return { error: `field '${token}' of '${current.fullName}' is repeated: follow it with an index (/${token}/0/…) or end the path there` };
      i++;
      if (i === tokens.length - 1) return { kind: 'message', message: next, repeated: false };
    }
    current = next;
  }
  return { kind: 'message', message: current, repeated: false };
}

/** Plan of a repeated scalar field read as rows of one `value` column. */
export function scalarRowsPlan(definition: PackageDefinition, field: FieldDescriptor, scope: string): { columns: ColumnSpec[]; convert: (value: unknown) => Record<string, unknown> } {
  const plan = fieldPlan(definition, { ...field, label: 'LABEL_OPTIONAL', name: 'value' }, scope, 0);
  return { columns: [{ name: 'value', type: plan.type, nullable: true }], convert: (v) => ({ value: plan.convert(v) }) };
}

/**
 * A record made to fit a request message: the local engine stores nested values it could not
 * type (lists and objects in untyped input) as JSON text, so a message or repeated field that
 * holds a string is parsed back. Everything else is left to protobuf's own conversion.
 */
export function requestFor(definition: PackageDefinition, message: MessageType, record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  for (const field of message.descriptor.field) {
    const value = out[field.name];
    if (typeof value !== 'string') continue;
    if (field.type !== 'TYPE_MESSAGE' && field.label !== 'LABEL_REPEATED') continue;
    try {
      out[field.name] = JSON.parse(value);
    } catch {
      // Not JSON: left as is, and protobuf names the field in its error.
    }
  }
  return out;
}
