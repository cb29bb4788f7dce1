/**
 * The fake org's SOQL: a tokenizer and recursive-descent parser for the subset the connector
 * emits and the tests send (SELECT fields / COUNT() FROM object [WHERE …] [LIMIT n]; =, !=, <,
 * <=, >, >=, [NOT] IN, LIKE, AND, OR, NOT, parentheses; string, number, boolean, null, date and
 * datetime literals). String literals follow SOQL's escapes; an unknown escape or an unclosed
 * quote is MALFORMED_QUERY, as on a real org. Equality on text is case-insensitive, as in SOQL.
 */
export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

type Token =
  | { t: 'word'; v: string }
  | { t: 'str'; chars: Array<{ c: string; escaped: boolean }> }
  | { t: 'num'; v: number }
  | { t: 'date'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punct'; v: string };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', '%': '%', _: '_' };

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      const chars: Array<{ c: string; escaped: boolean }> = [];
      i++;
      for (;;) {
        if (i >= text.length) throw new SoqlError('MALFORMED_QUERY', `\n${text}\n^\nERROR at Row:1:Column:${i}\nunexpected end of string literal`);
        const c = text[i]!;
        if (c === '\\') {
          const e = text[i + 1];
          if (e === undefined || !(e in ESCAPES)) throw new SoqlError('MALFORMED_QUERY', `Invalid string literal '${text.slice(i, i + 2)}'. Illegal character sequence '${text.slice(i, i + 2)}' in string literal.`);
          chars.push({ c: ESCAPES[e]!, escaped: true });
          i += 2;
          continue;
        }
        if (c === "'") {
          i++;
          break;
        }
        chars.push({ c, escaped: false });
        i++;
      }
      out.push({ t: 'str', chars });
      continue;
    }
    const date = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2}))?/.exec(text.slice(i));
    if (date) {
      out.push({ t: 'date', v: date[0] });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const op = /^(!=|<>|<=|>=|=|<|>)/.exec(text.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0] });
      i += op[0].length;
      continue;
    }
    if ('(),'.includes(ch)) {
      out.push({ t: 'punct', v: ch });
      i++;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (word) {
      out.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `\n${text}\n^\nERROR at Row:1:Column:${i + 1}\nunexpected token: '${ch}'`);
  }
  return out;
}

export type Value = string | number | boolean | null | { date: string };
export type Cond =
  | { and: Cond[] }
  | { or: Cond[] }
  | { not: Cond }
  | { field: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Value }
  | { field: string; op: 'in' | 'nin'; values: Value[] }
  | { field: string; op: 'like'; pattern: RegExp };

export interface ParsedQuery {
  fields: string[];
  count: boolean;
  object: string;
  where?: Cond;
  limit?: number;
}

const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'in', 'like', 'limit', 'order', 'by']);

export function parseSoql(text: string): ParsedQuery {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const unexpected = (): never => {
    const tok = tokens[p];
    const shown = !tok ? '<EOF>' : tok.t === 'str' ? `'${tok.chars.map((c) => c.c).join('')}'` : 'v' in tok ? String(tok.v) : '?';
    throw new SoqlError('MALFORMED_QUERY', `\n${text}\n^\nERROR at Row:1:Column:${p + 1}\nunexpected token: ${shown}`);
  };
  const isWord = (w: string) => {
    const tok = peek();
    return tok?.t === 'word' && tok.v.toLowerCase() === w;
  };
  const expectWord = (w: string) => {
    if (!isWord(w)) unexpected();
    p++;
  };
  const ident = (): string => {
    const tok = peek();
    if (tok?.t !== 'word' || KEYWORDS.has(tok.v.toLowerCase())) return unexpected();
    p++;
    return tok.v;
  };
  const value = (): Value => {
    const tok = tokens[p++];
    if (!tok) return unexpected();
    if (tok.t === 'str') return tok.chars.map((c) => c.c).join('');
    if (tok.t === 'num') return tok.v;
    if (tok.t === 'date') return { date: tok.v };
    if (tok.t === 'word') {
      const w = tok.v.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
    }
    p--;
    return unexpected();
  };
  const primary = (): Cond => {
    if (isWord('not')) {
      p++;
      return { not: primary() };
    }
    const tok = peek();
    if (tok?.t === 'punct' && tok.v === '(') {
      p++;
      const inner = orExpr();
      const close = tokens[p++];
      if (close?.t !== 'punct' || close.v !== ')') {
        p--;
        unexpected();
      }
      return inner;
    }
    const field = ident();
    if (isWord('like')) {
      p++;
      const s = tokens[p++];
      if (s?.t !== 'str') {
        p--;
        return unexpected();
      }
      const source = s.chars.map(({ c, escaped }) => (!escaped && c === '%' ? '.*' : !escaped && c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
      return { field, op: 'like', pattern: new RegExp(`^${source}$`, 'is') };
    }
    let negated = false;
    if (isWord('not')) {
      p++;
      negated = true;
    }
    if (isWord('in')) {
      p++;
      const open = tokens[p++];
      if (open?.t !== 'punct' || open.v !== '(') {
        p--;
        unexpected();
      }
      const values: Value[] = [value()];
      while (peek()?.t === 'punct' && (peek() as { v: string }).v === ',') {
        p++;
        values.push(value());
      }
      const close = tokens[p++];
      if (close?.t !== 'punct' || close.v !== ')') {
        p--;
        unexpected();
      }
      return { field, op: negated ? 'nin' : 'in', values };
    }
    if (negated) unexpected();
    const op = tokens[p++];
    if (op?.t !== 'op') {
      p--;
      return unexpected();
    }
    return { field, op: op.v as '=', value: value() };
  };
  const andExpr = (): Cond => {
    const parts = [primary()];
    while (isWord('and')) {
      p++;
      parts.push(primary());
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const orExpr = (): Cond => {
    const parts = [andExpr()];
    while (isWord('or')) {
      p++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };

  expectWord('select');
  const fields: string[] = [];
  let count = false;
  if (isWord('count') && tokens[p + 1]?.t === 'punct') {
    p += 3;
    count = true;
  } else {
    fields.push(ident());
    while (peek()?.t === 'punct' && (peek() as { v: string }).v === ',') {
      p++;
      fields.push(ident());
    }
  }
  expectWord('from');
  const object = ident();
  const query: ParsedQuery = { fields, count, object };
  if (isWord('where')) {
    p++;
    query.where = orExpr();
  }
  if (isWord('limit')) {
    p++;
    const n = tokens[p++];
    if (n?.t !== 'num') unexpected();
    query.limit = (n as { v: number }).v;
  }
  if (p < tokens.length) unexpected();
  return query;
}

function compare(a: unknown, b: Value, type: string): number | undefined {
  if (a === null || a === undefined || b === null) return undefined;
  if (typeof b === 'object') {
    const left = type === 'date' ? String(a).slice(0, 10) : new Date(String(a).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
    const right = type === 'date' ? b.date.slice(0, 10) : new Date(b.date).toISOString();
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : 1;
  return undefined;
}

/** Evaluates a condition on a record; `typeOf` gives a field's describe type (and throws for unknown fields). */
export function matches(record: Record<string, unknown>, cond: Cond, typeOf: (field: string) => string): boolean {
  if ('and' in cond) return cond.and.every((c) => matches(record, c, typeOf));
  if ('or' in cond) return cond.or.some((c) => matches(record, c, typeOf));
  if ('not' in cond) return !matches(record, cond.not, typeOf);
  const type = typeOf(cond.field);
  const key = Object.keys(record).find((k) => k.toLowerCase() === cond.field.toLowerCase());
  const actual = key === undefined ? null : record[key];
  if ('pattern' in cond) return typeof actual === 'string' && cond.pattern.test(actual);
  if ('values' in cond) {
    const found = cond.values.some((v) => (v === null ? actual === null || actual === undefined : compare(actual, v, type) === 0));
    return cond.op === 'in' ? found : !found;
  }
  const v = cond.value;
  if (v === null) return cond.op === '=' ? actual === null || actual === undefined : cond.op === '!=' ? actual !== null && actual !== undefined : false;
  const c = compare(actual, v, type);
  if (c === undefined) return cond.op === '!=';
  switch (cond.op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
  return false;
}

/** Every field a condition names. */
export function condFields(cond: Cond | undefined): string[] {
  if (!cond) return [];
  if ('and' in cond) return cond.and.flatMap(condFields);
  if ('or' in cond) return cond.or.flatMap(condFields);
  if ('not' in cond) return condFields(cond.not);
  return [cond.field];
}
