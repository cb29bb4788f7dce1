import { describe, expect, it } from 'vitest';
import { BACKTICKS, BRACKETS, jdbcPartitionPredicates, quoteIdentifier, quoteQualified, splitQualifiedName } from '../src/families/sql.js';
import { parseJdbcUrl } from '../src/families/jdbc-url.js';
import { InvalidArgumentError } from '../src/errors.js';

describe('identifier quoting', () => {
  it('doubles the closing quote so hostile names stay one identifier', () => {
    expect(quoteIdentifier('x"; DROP TABLE y; --')).toBe('"x""; DROP TABLE y; --"');
    expect(quoteIdentifier('a`b', BACKTICKS)).toBe('`a``b`');
    expect(quoteIdentifier('a]b', BRACKETS)).toBe('[a]]b]');
    expect(() => quoteIdentifier('')).toThrow(InvalidArgumentError);
    expect(() => quoteIdentifier('a\u0000b')).toThrow(/NUL/);
  });

  it('splits qualified names, honouring quotes', () => {
    expect(splitQualifiedName('public.customers')).toEqual(['public', 'customers']);
    expect(splitQualifiedName('"My Schema"."t.1"')).toEqual(['My Schema', 't.1']);
    expect(splitQualifiedName('"a""b".c')).toEqual(['a"b', 'c']);
    expect(quoteQualified('s.x"y')).toBe('"s"."x""y"');
    expect(() => splitQualifiedName('a..b')).toThrow(InvalidArgumentError);
    expect(() => splitQualifiedName('"unterminated')).toThrow(/Unterminated/);
  });
});

describe('jdbcPartitionPredicates (Spark semantics)', () => {
  it('strides integers; first partition takes NULLs and values below, last takes the rest', () => {
    expect(jdbcPartitionPredicates('"id"', 0, 100, 4)).toEqual([
      '"id" < 25 OR "id" IS NULL',
      '"id" >= 25 AND "id" < 50',
      '"id" >= 50 AND "id" < 75',
      '"id" >= 75',
    ]);
  });

  it('covers every value exactly once, whatever the bounds', () => {
    const values = [null, -50, -1, 0, 1, 7, 33, 99, 100, 101, 5000];
    for (const [lo, hi, n] of [[0, 100, 7], [10, 20, 3], [0, 3, 10], [-5, 5, 4], [0, 1_000_000, 20]] as const) {
      const preds = jdbcPartitionPredicates('c', lo, hi, n);
      const matches = (pred: string, v: number | null) =>
        pred.split(' OR ').some((alt) =>
          alt.split(' AND ').every((cond) => {
            if (cond === 'c IS NULL') return v === null;
            const m = /^c (>=|<) (-?\d+)$/.exec(cond)!;
            if (v === null) return false;
            return m[1] === '>=' ? v >= Number(m[2]) : v < Number(m[2]);
          }),
        );
      for (const v of values) expect(preds.filter((p) => matches(p, v)).length, `${v} in [${lo},${hi}) / ${n}`).toBe(1);
    }
  });

  it('returns no predicates for one partition and refuses bad input', () => {
    expect(jdbcPartitionPredicates('c', 0, 100, 1)).toEqual([]);
    expect(jdbcPartitionPredicates('c', 5, 5, 4)).toEqual([]);
    expect(() => jdbcPartitionPredicates('c', 10, 0, 2)).toThrow(/must not exceed/);
    expect(() => jdbcPartitionPredicates('c', 0, 10, 0)).toThrow(/positive integer/);
    expect(() => jdbcPartitionPredicates('c', 'abc', 10, 2)).toThrow(/not a number, date or timestamp/);
  });

  it('strides dates and timestamps', () => {
    expect(jdbcPartitionPredicates('d', '2024-01-01', '2024-01-05', 2)).toEqual([`d < '2024-01-03' OR d IS NULL`, `d >= '2024-01-03'`]);
    const ts = jdbcPartitionPredicates('t', new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:04Z'), 2);
    expect(ts).toEqual([`t < '2024-01-01 00:00:02.000' OR t IS NULL`, `t >= '2024-01-01 00:00:02.000'`]);
  });
});

describe('parseJdbcUrl', () => {
  it('reads the common forms', () => {
    expect(parseJdbcUrl('jdbc:postgresql://prod-db:5432/analytics?ssl=true&user=a')).toEqual({
      subprotocol: 'postgresql', host: 'prod-db', port: 5432, database: 'analytics', params: { ssl: 'true', user: 'a' },
    });
    expect(parseJdbcUrl('jdbc:sqlserver://h:1433;databaseName=db;encrypt=true')).toMatchObject({ subprotocol: 'sqlserver', host: 'h', port: 1433, database: 'db', params: { encrypt: 'true' } });
    expect(parseJdbcUrl('jdbc:oracle:thin:@//ora:1521/ORCLPDB1')).toMatchObject({ subprotocol: 'oracle', host: 'ora', port: 1521, database: 'ORCLPDB1' });
    expect(parseJdbcUrl('jdbc:sqlite:/tmp/x.db')).toEqual({ subprotocol: 'sqlite', path: '/tmp/x.db', params: {} });
    expect(parseJdbcUrl('jdbc:mysql://[::1]:3306/t')).toMatchObject({ host: '::1', port: 3306, database: 't' });
  });

  it('rejects what is not a JDBC URL without echoing secrets', () => {
    expect(() => parseJdbcUrl('postgres://u:pw@h/db')).toThrow(/must start with 'jdbc:'/);
    try {
      parseJdbcUrl('jdbc:postgresql://u:topsecret@h:notaport/db');
      expect.unreachable();
    } catch (e) {
      expect(String(e)).toMatch(/Invalid port/);
      expect(String(e)).not.toContain('topsecret');
    }
  });
});
