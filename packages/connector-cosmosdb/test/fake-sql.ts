/**
 * A small evaluator of the Cosmos DB NoSQL query subset that the connector generates (and a
 * little more): `SELECT [TOP n] * | c.a, c.b [AS x] | VALUE expr FROM c [WHERE expr]` with
 * property paths (`c.a.b`, `c["x y"]`), parameters, literals, object and array literals,
 * `= != <> < <= > >=`, `IN (…)`, `AND OR NOT`, and the functions `IS_DEFINED`, `IS_NULL`,
 * `STARTSWITH`, `ARRAY_CONTAINS`, `IIF`. Values follow the service's rules: `undefined` for
 * missing properties; comparisons across types and with `undefined` are `undefined`; `WHERE`
 * keeps an item only when its condition is `true`. Anything else is a syntax error (HTTP 400),
 * so a query the connector should not send fails the test instead of passing by accident.
 */

type Value = unknown;
type Node =
  | { kind: 'lit'; value: Value }
  | { kind: 'param'; name: string }
  | { kind: 'path'; root: string; segments: string[] }
  | { kind: 'obj'; entries: Array<[string, Node]> }
  | { kind: 'arr'; items: Node[] }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'bin'; op: string; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'in'; operand: Node; list: Node[] };

export interface ParsedQuery {
  top?: number;
  select: { kind: 'star' } | { kind: 'value'; expr: Node } | { kind: 'list'; items: Array<{ expr: Node; name: string }> };
  alias: string;
  where?: Node;
}

export class SqlSyntaxError extends Error {}

const TOKEN = /\s*(?:(@[A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(!=|<>|<=|>=|[=<>.,()[\]{}:*]))/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new SqlSyntaxError(`Syntax error, incorrect syntax near '${text.slice(at, at + 10).trim()}'.`);
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]!);
    at = TOKEN.lastIndex;
  }
  return out;
}

function unquote(token: string): string {
  if (token.startsWith("'")) return JSON.parse(`"${token.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return JSON.parse(token) as string;
}

class Parser {
  #i = 0;
  constructor(private readonly tokens: string[]) {}
  peek(): string | undefined {
    return this.tokens[this.#i];
  }
  is(word: string): boolean {
    return this.peek()?.toUpperCase() === word;
  }
  next(): string {
    const t = this.tokens[this.#i++];
    if (t === undefined) throw new SqlSyntaxError('Syntax error, unexpected end of query.');
    return t;
  }
  expect(word: string): void {
    const t = this.next();
    if (t.toUpperCase() !== word) throw new SqlSyntaxError(`Syntax error, incorrect syntax near '${t}', expected '${word}'.`);
  }
  done(): boolean {
    return this.#i >= this.tokens.length;
  }

  query(): ParsedQuery {
    this.expect('SELECT');
    let top: number | undefined;
    if (this.is('TOP')) {
      this.next();
      top = Number(this.next());
    }
    let select: ParsedQuery['select'];
    if (this.peek() === '*') {
      this.next();
      select = { kind: 'star' };
    } else if (this.is('VALUE')) {
      this.next();
      select = { kind: 'value', expr: this.expr() };
    } else {
      const items: Array<{ expr: Node; name: string }> = [];
      do {
        if (items.length) this.next();
        const expr = this.expr();
        let name: string | undefined;
        if (this.is('AS')) {
          this.next();
          name = this.next();
        } else if (expr.kind === 'path' && expr.segments.length) name = expr.segments.at(-1);
        items.push({ expr, name: name ?? `$${items.length + 1}` });
      } while (this.peek() === ',');
      select = { kind: 'list', items };
    }
    this.expect('FROM');
    const alias = this.next();
    let where: Node | undefined;
    if (this.is('WHERE')) {
      this.next();
      where = this.expr();
    }
    if (!this.done()) throw new SqlSyntaxError(`Syntax error, incorrect syntax near '${this.peek()}'.`);
    return { ...(top !== undefined ? { top } : {}), select, alias, ...(where ? { where } : {}) };
  }

  expr(): Node {
    let left = this.and();
    while (this.is('OR')) {
      this.next();
      left = { kind: 'bin', op: 'OR', left, right: this.and() };
    }
    return left;
  }
  and(): Node {
    let left = this.not();
    while (this.is('AND')) {
      this.next();
      left = { kind: 'bin', op: 'AND', left, right: this.not() };
    }
    return left;
  }
  not(): Node {
    if (this.is('NOT')) {
      this.next();
      return { kind: 'not', operand: this.not() };
    }
    return this.comparison();
  }
  comparison(): Node {
    const left = this.primary();
    const op = this.peek();
    if (op && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(op)) {
      this.next();
      return { kind: 'bin', op: op === '<>' ? '!=' : op, left, right: this.primary() };
    }
    if (this.is('IN')) {
      this.next();
      this.expect('(');
      const list: Node[] = [];
      do {
        if (list.length) this.next();
        list.push(this.primary());
      } while (this.peek() === ',');
      this.expect(')');
      return { kind: 'in', operand: left, list };
    }
    return left;
  }
  primary(): Node {
    const t = this.next();
    if (t === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (t === '{') {
      const entries: Array<[string, Node]> = [];
      while (this.peek() !== '}') {
        if (entries.length) this.expect(',');
        const key = this.next();
        const name = key.startsWith('"') || key.startsWith("'") ? unquote(key) : key;
        this.expect(':');
        entries.push([name, this.expr()]);
      }
      this.next();
      return { kind: 'obj', entries };
    }
    if (t === '[') {
      const items: Node[] = [];
      while (this.peek() !== ']') {
        if (items.length) this.expect(',');
        items.push(this.expr());
      }
      this.next();
      return { kind: 'arr', items };
    }
    if (t.startsWith('@')) return { kind: 'param', name: t };
    if (t.startsWith('"') || t.startsWith("'")) return { kind: 'lit', value: unquote(t) };
    if (/^-?\d/.test(t)) return { kind: 'lit', value: Number(t) };
    const upper = t.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'lit', value: upper === 'TRUE' };
    if (upper === 'NULL') return { kind: 'lit', value: null };
    if (upper === 'UNDEFINED') return { kind: 'lit', value: undefined };
    if (!/^[A-Za-z_]/.test(t)) throw new SqlSyntaxError(`Syntax error, incorrect syntax near '${t}'.`);
    if (this.peek() === '(') {
      this.next();
      const args: Node[] = [];
      while (this.peek() !== ')') {
        if (args.length) this.expect(',');
        args.push(this.expr());
      }
      this.next();
      return { kind: 'call', name: upper, args };
    }
    const segments: string[] = [];
    for (;;) {
      if (this.peek() === '.') {
        this.next();
        const name = this.next();
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SqlSyntaxError(`Syntax error, incorrect syntax near '${name}'.`);
        if (RESERVED.has(name.toUpperCase())) throw new SqlSyntaxError(`Syntax error, incorrect syntax near '${name}'.`);
        segments.push(name);
      } else if (this.peek() === '[') {
        this.next();
        const key = this.next();
        if (!key.startsWith('"') && !key.startsWith("'")) throw new SqlSyntaxError(`Syntax error, incorrect syntax near '${key}'.`);
        segments.push(unquote(key));
        this.expect(']');
      } else break;
    }
    return { kind: 'path', root: t, segments };
  }
}

/** Keywords that cannot follow a `.` (the service answers a syntax error). */
const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'VALUE', 'TOP', 'AS', 'BY', 'ORDER', 'GROUP', 'JOIN', 'TRUE', 'FALSE', 'NULL', 'UNDEFINED', 'BETWEEN', 'LIKE', 'EXISTS', 'OFFSET', 'LIMIT']);

/** Parses a query, throwing `SqlSyntaxError` for anything outside the subset. */
export function parseQuery(text: string): ParsedQuery {
  return new Parser(tokenize(text)).query();
}

const typeOf = (v: Value) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function deepEqual(a: Value, b: Value): boolean {
  if (typeOf(a) !== typeOf(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Value[]).length && a.every((x, i) => deepEqual(x, (b as Value[])[i]));
  if (a !== null && typeof a === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, Value>)[k], (b as Record<string, Value>)[k]));
  }
  return a === b;
}

function compare(op: string, a: Value, b: Value): Value {
  if (a === undefined || b === undefined) return undefined;
  if (op === '=' || op === '!=') {
    if (typeOf(a) !== typeOf(b)) return undefined;
    return op === '=' ? deepEqual(a, b) : !deepEqual(a, b);
  }
  const t = typeOf(a);
  if (t !== typeOf(b) || !['number', 'string', 'boolean', 'null'].includes(t)) return undefined;
  if (t === 'null') return op === '<=' || op === '>=';
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

export function evaluate(node: Node, scope: { alias: string; doc: Value; params: Map<string, Value> }): Value {
  switch (node.kind) {
    case 'lit':
      return node.value;
    case 'param':
      if (!scope.params.has(node.name)) throw new SqlSyntaxError(`Parameter '${node.name}' is not defined.`);
      return scope.params.get(node.name);
    case 'path': {
      if (node.root !== scope.alias) throw new SqlSyntaxError(`Identifier '${node.root}' could not be resolved.`);
      let v: Value = scope.doc;
      for (const s of node.segments) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Value>)[s] : undefined;
      return v;
    }
    case 'obj': {
      const out: Record<string, Value> = {};
      for (const [k, e] of node.entries) {
        const v = evaluate(e, scope);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'arr':
      return node.items.map((e) => evaluate(e, scope)).filter((v) => v !== undefined);
    case 'not': {
      const v = evaluate(node.operand, scope);
      return typeof v === 'boolean' ? !v : undefined;
    }
    case 'in': {
      const v = evaluate(node.operand, scope);
      if (v === undefined) return undefined;
      return node.list.some((e) => compare('=', v, evaluate(e, scope)) === true);
    }
    case 'bin': {
      const a = evaluate(node.left, scope);
      const b = evaluate(node.right, scope);
      if (node.op === 'AND') return a === false || b === false ? false : a === true && b === true ? true : undefined;
      if (node.op === 'OR') return a === true || b === true ? true : a === false && b === false ? false : undefined;
      return compare(node.op, a, b);
    }
    case 'call': {
      const args = node.args.map((e) => evaluate(e, scope));
      switch (node.name) {
        case 'IS_DEFINED':
          return args[0] !== undefined;
        case 'IS_NULL':
          return args[0] === null;
        case 'STARTSWITH':
          return typeof args[0] === 'string' && typeof args[1] === 'string' ? (args[2] === true ? args[0].toLowerCase().startsWith(args[1].toLowerCase()) : args[0].startsWith(args[1])) : undefined;
        case 'ARRAY_CONTAINS':
          return Array.isArray(args[0]) ? args[0].some((x) => deepEqual(x, args[1])) : undefined;
        case 'IIF':
          return args[0] === true ? args[1] : args[2];
        default:
          throw new SqlSyntaxError(`'${node.name}' is not a recognized built-in function name.`);
      }
    }
  }
}

/** Runs a parsed query over documents: the items it returns, in document order. */
export function runQuery(query: ParsedQuery, docs: Iterable<Record<string, Value>>, params: Map<string, Value>): Value[] {
  const out: Value[] = [];
  for (const doc of docs) {
    const scope = { alias: query.alias, doc, params };
    if (query.where && evaluate(query.where, scope) !== true) continue;
    if (query.select.kind === 'star') out.push(doc);
    else if (query.select.kind === 'value') {
      const v = evaluate(query.select.expr, scope);
      if (v !== undefined) out.push(v);
    } else {
      const row: Record<string, Value> = {};
      for (const item of query.select.items) {
        const v = evaluate(item.expr, scope);
        if (v !== undefined) row[item.name] = v;
      }
      out.push(row);
    }
    if (query.top !== undefined && out.length >= query.top) break;
  }
  return out;
}
