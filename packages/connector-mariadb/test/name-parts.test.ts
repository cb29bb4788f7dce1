/** Issue 10 item 22: MariaDB refuses a three-part table name as MySQL does, before any SQL. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sparkle/core';
import { MariaDBConnection } from '../src/index.js';

describe('qualified names on MariaDB', () => {
  it('refuses catalog.database.table with the form it accepts', async () => {
    const conn = new MariaDBConnection({ type: 'mariadb', config: { url: 'jdbc:mariadb://127.0.0.1:1/test', user: 'root' } });
    expect(conn.quoteTable('shop.orders')).toBe('`shop`.`orders`');
    expect(() => conn.quoteTable('cat.shop.orders')).toThrow(InvalidArgumentError);
    await expect(conn.nativeRead('cat.shop.orders', {})).rejects.toThrow(/a mariadb table is named database\.table \(at most 2 parts\)/);
  });
});
