/**
 * SoapConnection against a real SOAP server: the `soap` package's own `soap.listen` on node:http
 * at 127.0.0.1 with fixtures/customers.wsdl, checking the WS-Security UsernameToken server-side.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import { collectRows, ensureLocalEngine } from '@sparkle/testkit';
import { SoapFaultError } from '../src/index.js';
import '../src/index.js';
import { PASSWORD, startSoapServer, USER, WSDL, type Customer, type SoapTestServer } from './server.js';

const CUSTOMERS: Customer[] = [
  { id: 1, name: 'Ada', balance: 10.5, active: true, region: 'eu' },
  { id: 2, name: 'Grace', balance: -3, active: false, region: 'us' },
  { id: 3, name: 'Edsger', balance: 0, active: true, region: 'eu' },
];

let server: SoapTestServer;
beforeAll(async () => {
  await ensureLocalEngine();
  server = await startSoapServer(CUSTOMERS.map((c) => ({ ...c })));
});
afterAll(async () => {
  await server?.close();
});

function config(extra: Record<string, unknown> = {}) {
  return {
    wsdl: WSDL,
    endpoint: server.endpoint,
    security: { type: 'usernameToken', username: USER, password: PASSWORD },
    timeoutMs: 5000,
    operations: {
      customers: { operation: 'ListCustomers', args: { region: 'all' }, resultPath: '/customers/customer' },
      eu: { operation: 'CustomerService.CustomerPort.ListCustomers', args: { region: 'eu' }, resultPath: '/customers/customer', schema: { id: 'long', name: 'string', balance: 'double' } },
      none: { operation: 'ListCustomers', args: { region: 'mars' }, resultPath: '/customers/customer' },
      closed: { operation: 'ListCustomers', args: { region: 'closed' }, resultPath: '/customers/customer' },
      wrongPath: { operation: 'ListCustomers', args: { region: 'all' }, resultPath: '/clients/client' },
    },
    writes: { addCustomer: { operation: 'AddCustomer', recordArg: 'customer', batchSize: 2, concurrency: 2 } },
    ...extra,
  };
}

const open = (extra: Record<string, unknown> = {}) => getConnection('soap', { config: config(extra) });

async function caught(p: Promise<unknown>): Promise<SparkleError> {
  const e = await p.then(() => undefined, (error: unknown) => error);
  expect(SparkleError.isInstance(e), String(e)).toBe(true);
  return e as SparkleError;
}

describe('reads', () => {
  it('calls the operation with the UsernameToken and flattens the result path (inferred schema)', async () => {
    await using conn = await open();
    const before = server.tokens.length;
    const rows = await collectRows(await conn.readTable('customers'));
    expect(rows.map((r) => r.name)).toEqual(['Ada', 'Grace', 'Edsger']);
    expect(rows[1]).toMatchObject({ balance: -3, active: false, region: 'us' });
    expect(server.tokens.slice(before)).toEqual([{ username: USER, ok: true, digest: false }]);
  });

  it('reads with a declared schema through a Service.Port.Operation name', async () => {
    await using conn = await open();
    const frame = await conn.readTable('eu');
    const rows = await collectRows(frame);
    expect(rows).toEqual([
      { id: 1n, name: 'Ada', balance: 10.5 },
      { id: 3n, name: 'Edsger', balance: 0 },
    ]);
  });

  it('reads zero rows when the repeated element is absent', async () => {
    await using conn = await open();
    expect(await collectRows(await conn.readTable('none'))).toEqual([]);
  });

  it('reads the WSDL from the server over HTTP', async () => {
    await using conn = await open({ wsdl: server.wsdlUrl });
    expect((await collectRows(await conn.readTable('customers'))).length).toBe(3);
  });

  it('names the top-level elements when the result path matches nothing', async () => {
    await using conn = await open();
    const e = await caught(conn.readTable('wrongPath').then(collectRows));
    expect(e.message).toContain("resultPath '/clients/client' matches nothing");
    expect(e.message).toContain('customers');
  });

  it('lists the WSDL operations for an unknown one', async () => {
    await using conn = await open({ operations: { x: { operation: 'Nope' } } });
    const e = await caught(conn.readTable('x').then(collectRows));
    expect(e.message).toContain('CustomerService.CustomerPort.ListCustomers');
  });
});

describe('writes', () => {
  it('calls the operation once per record in bounded batches', async () => {
    await using conn = await open();
    server.added.length = 0;
    const rows = [1, 2, 3, 4, 5].map((i) => ({ id: 100 + i, name: `new-${i}`, balance: i / 2, active: i % 2 === 0, region: 'eu' }));
    const result = await conn.writeTable(rows, 'addCustomer', { mode: 'append' });
    expect(result.rows).toBe(5);
    expect(server.added.map((c) => c.name).sort()).toEqual(['new-1', 'new-2', 'new-3', 'new-4', 'new-5']);
    expect(server.added.find((c) => c.name === 'new-2')).toMatchObject({ id: 102, balance: 1, active: true });
  });

  it('fails the write with the Fault of the rejected record, naming the batch', async () => {
    await using conn = await open();
    const e = await caught(conn.writeTable([{ id: 1, name: 'ok', balance: 0, active: true, region: 'eu' }, { id: 2, name: 'reject-me', balance: 0, active: true, region: 'eu' }], 'addCustomer', { mode: 'append' }));
    expect(e.code).toBe('WRITE_FAILED');
    expect(e.message).toContain('name reject-me is not allowed');
  });

  it("refuses mode 'overwrite'", async () => {
    await using conn = await open();
    const e = await caught(conn.writeTable([{ id: 1 }], 'addCustomer', { mode: 'overwrite' }));
    expect(e.code).toBe('UNSUPPORTED');
  });
});

describe('faults and failures', () => {
  it('turns a SOAP Fault into a typed error naming the operation, code and string', async () => {
    await using conn = await open();
    const e = await caught(conn.readTable('closed').then(collectRows));
    expect(SoapFaultError.isSoapFault(e)).toBe(true);
    expect(e.code).toBe('QUERY_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain("operation 'ListCustomers'");
    expect(e.message).toContain('soap:Client');
    expect(e.message).toContain('region closed is closed for reporting');
    expect((e as SoapFaultError).fault.code).toBe('soap:Client');
  });

  it('refuses a wrong password as an authentication error and never prints the password', async () => {
    const wrong = 'soap-Wrong-Password-77d0e3aa';
    await using conn = await open({ security: { type: 'usernameToken', username: USER, password: wrong }, healthOperation: 'ListCustomers', healthArgs: { region: 'eu' } });
    const before = server.tokens.length;
    const e = await caught(conn.readTable('customers').then(collectRows));
    expect(server.tokens.slice(before)).toEqual([{ username: USER, ok: false, digest: false }]);
    expect(e.code).toBe('AUTHENTICATION_FAILED');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('Invalid username or password');
    const report = await conn.check();
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.status === 'failed')?.tier).toBe('auth');
    const shown = [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 10 }), inspect(conn), JSON.stringify(conn), String(conn), JSON.stringify(report)].join('\n');
    expect(shown).not.toContain(wrong);
    expect(inspect(conn)).toContain(USER);
  });

  it('sends PasswordDigest tokens the server verifies', async () => {
    await using conn = await open({ security: { type: 'usernameToken', username: USER, password: PASSWORD, passwordType: 'PasswordDigest' } });
    const before = server.tokens.length;
    expect((await collectRows(await conn.readTable('customers'))).length).toBe(3);
    expect(server.tokens.slice(before)).toEqual([{ username: USER, ok: true, digest: true }]);
  });

  it('marks HTTP 5xx without a Fault retryable', async () => {
    await using conn = await open({ endpoint: server.downEndpoint });
    const e = await caught(conn.readTable('customers').then(collectRows));
    expect(e.code).toBe('CONNECTION_FAILED');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('HTTP 503');
  });

  it('passes the health check with the UsernameToken', async () => {
    await using conn = await open({ healthOperation: 'ListCustomers', healthArgs: { region: 'eu' } });
    const report = await conn.check();
    expect(report.ok, JSON.stringify(report.steps)).toBe(true);
  });
});
