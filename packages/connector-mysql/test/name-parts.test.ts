/**
 * Issue 10 item 22: a three-part table name on MySQL (a schema is a database there) is refused
 * with an error naming the form, before any SQL is built or any connection is opened.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sparkle/core';
import { MySQLConnection } from '../src/index.js';

const conn = new MySQLConnection({ type: 'mysql', config: { url: 'jdbc:mysql://127.0.0.1:1/test', user: 'root' } });

describe('qualified names on MySQL', () => {
  it('database.table and table are fine', () => {
    expect(conn.quoteTable('shop.orders')).toBe('`shop`.`orders`');
    expect(conn.quoteTable('orders')).toBe('`orders`');
  });

  it.each(['cat.shop.orders', '`a`.`b`.`c`', 'a.b.c.d'])('%s is refused clearly for reads, writes and Spark', async (name) => {
    expect(() => conn.quoteTable(name)).toThrow(InvalidArgumentError);
    expect(() => conn.quoteTable(name)).toThrow(/a mysql table is named database\.table \(at most 2 parts\)/);
    expect(() => conn.sparkRead(name, {})).toThrow(InvalidArgumentError);
    // The local engine's read plan fails the same way, without connecting (port 1 would refuse).
    await expect(conn.nativeRead(name, {})).rejects.toThrow(/at most 2 parts/);
  });
});
