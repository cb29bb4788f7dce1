/**
 * The SOQL builder on its own: literal escaping per SOQL's escape list, LIKE prefixes, date and
 * datetime literals by field kind, identifier checks, and the round trip through the fake org's
 * SOQL tokenizer (which follows the same escape rules) for strings an attacker might choose.
 */
import { describe, expect, it } from 'vitest';
import { soqlCondition, soqlLikePrefix, soqlLiteral, soqlSelect, soqlShape, soqlString } from '../src/soql.js';
import { parseSoql } from './fake-soql.js';

const other = () => 'other' as const;

describe('SOQL literals', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(soqlString("O'Brien")).toBe("'O\\'Brien'");
    expect(soqlString('a\\b')).toBe("'a\\\\b'");
    expect(soqlString('say "hi"\n\r\t\b\f')).toBe("'say \\\"hi\\\"\\n\\r\\t\\b\\f'");
  });

  it('round-trips hostile strings through a SOQL parser unchanged, as one literal', () => {
    const hostile = ["x' OR Name != '", "\\' OR 1=1 --", "'; DELETE", 'tab\there', "end\\", "\\\\'", '%_%', 'ünïcødé ✓'];
    for (const value of hostile) {
      const q = parseSoql(`SELECT Id FROM Account WHERE Name = ${soqlString(value)}`);
      expect(q.where).toEqual({ field: 'Name', op: '=', value });
    }
  });

  it('LIKE prefixes escape % and _ so they match literally', () => {
    expect(soqlLikePrefix('50%_off')).toBe("'50\\%\\_off%'");
    const q = parseSoql(`SELECT Id FROM Account WHERE Name LIKE ${soqlLikePrefix("a'%")}`);
    const pattern = (q.where as { pattern: RegExp }).pattern;
    expect(pattern.test("a'% and more")).toBe(true);
    expect(pattern.test("a'x and more")).toBe(false);
  });

  it('writes typed values as SOQL literals', () => {
    expect(soqlLiteral(null, 'other', 'sf')).toBe('null');
    expect(soqlLiteral(true, 'other', 'sf')).toBe('TRUE');
    expect(soqlLiteral(12345678901234567890n, 'other', 'sf')).toBe('12345678901234567890');
    expect(soqlLiteral(1.5, 'other', 'sf')).toBe('1.5');
    expect(soqlLiteral(new Date('2024-05-06T07:08:09.123Z'), 'datetime', 'sf')).toBe('2024-05-06T07:08:09.123Z');
    expect(soqlLiteral(new Date('2024-05-06T07:08:09Z'), 'datetime', 'sf')).toBe('2024-05-06T07:08:09Z');
    expect(soqlLiteral(new Date('2024-05-06T00:00:00Z'), 'date', 'sf')).toBe('2024-05-06');
    expect(soqlLiteral('2024-05-06', 'date', 'sf')).toBe('2024-05-06');
    expect(() => soqlLiteral("2024-05-06' OR Id != '", 'date', 'sf')).toThrow(/not a date literal/);
    expect(() => soqlLiteral(Number.NaN, 'other', 'sf')).toThrow(/finite/);
  });
});

describe('SOQL conditions and SELECT', () => {
  it('builds nested conditions with empty IN lists that match nothing', () => {
    const where = soqlCondition({ or: [{ not: { field: 'A', op: 'eq', value: 1 } }, { field: 'B', op: 'in', values: [] }, { field: 'C', op: 'nin', values: ['x', null] }, { field: 'D', op: 'exists', value: false }] }, other, 'sf');
    expect(where).toBe("((NOT A = 1) OR Id = null OR C NOT IN ('x', null) OR D = null)");
    expect(() => parseSoql(`SELECT Id FROM Account WHERE ${where}`)).not.toThrow();
  });

  it('refuses field and object names that are not identifiers', () => {
    expect(() => soqlCondition({ field: 'Name = 1 OR Id', op: 'eq', value: 1 }, other, 'sf')).toThrow(/not a Salesforce field name/);
    expect(() => soqlSelect('Account WHERE', ['Id'], undefined, 'sf')).toThrow(/not a Salesforce field name/);
    expect(soqlSelect('Contact', ['Id', 'Account.Name'], 'Id != null', 'sf')).toBe('SELECT Id, Account.Name FROM Contact WHERE Id != null');
  });

  it('reads the SELECT list and FROM object of SOQL text', () => {
    expect(soqlShape('select Id, COUNT(Name) n, (SELECT Id FROM Contacts) from Account where X = 1')).toEqual({ object: 'Account', fields: ['Id', 'COUNT(Name) n', '(SELECT Id FROM Contacts)'] });
    expect(soqlShape('UPDATE x')).toEqual({ object: undefined, fields: [] });
  });
});
