/**
 * A real SOAP server for the tests: the `soap` package's own `soap.listen` on node:http at
 * 127.0.0.1 (ephemeral port), serving fixtures/customers.wsdl. Every call's WS-Security
 * UsernameToken is checked on the server side (`authenticate`): a wrong password answers the
 * server's authentication Fault. `region: 'closed'` answers a SOAP Fault; Any path under `/down` answers
 * HTTP 503 without a Fault.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import * as soap from 'soap';

export const WSDL = fileURLToPath(new URL('./fixtures/customers.wsdl', import.meta.url));
export const USER = 'sparkle-reader';
export const PASSWORD = 'soap-Test-Password-4c2e9b81';

export interface Customer {
  id: number;
  name: string;
  balance: number;
  active: boolean;
  region: string;
}

export interface SoapTestServer {
  /** Service address (the `endpoint` override). */
  endpoint: string;
  /** The WSDL as served over HTTP (`?wsdl`). */
  wsdlUrl: string;
  /** An address that answers HTTP 503 without a SOAP Fault. */
  downEndpoint: string;
  customers: Customer[];
  added: Array<Record<string, unknown>>;
  /** UsernameTokens seen by the server, in order (username, whether the password matched, digest or text). */
  tokens: Array<{ username: string; ok: boolean; digest: boolean }>;
  close(): Promise<void>;
}

function tokenOf(security: unknown): { username?: string; password?: string; digest: boolean; nonce?: string; created?: string } {
  const token = (security as { UsernameToken?: Record<string, unknown> } | undefined)?.UsernameToken;
  const value = (v: unknown) => (typeof v === 'string' ? v : (v as { $value?: string } | undefined)?.$value);
  const type = (token?.Password as { attributes?: { Type?: string } } | undefined)?.attributes?.Type ?? '';
  return { username: value(token?.Username), password: value(token?.Password), digest: type.endsWith('#PasswordDigest'), nonce: value(token?.Nonce), created: value(token?.Created) };
}

export async function startSoapServer(customers: Customer[]): Promise<SoapTestServer> {
  const state = { customers, added: [] as Array<Record<string, unknown>>, tokens: [] as Array<{ username: string; ok: boolean; digest: boolean }> };
  // soap.listen answers its own path and hands other requests to this handler: `/down` is the
  // HTTP-level failure case (a 503 without a SOAP Fault), as a failing proxy would answer.
  const http: Server = createServer((req, res) => {
    if (req.url?.startsWith('/down')) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('service temporarily down');
    res.writeHead(404).end();
  });
  const service = {
    CustomerService: {
      CustomerPort: {
        ListCustomers(args: { region?: string }) {
          if (args.region === 'closed') throw { Fault: { faultcode: 'soap:Client', faultstring: `region ${args.region} is closed for reporting`, statusCode: 500 } };
          const rows = args.region && args.region !== 'all' ? state.customers.filter((c) => c.region === args.region) : state.customers;
          return { customers: { customer: rows } };
        },
        AddCustomer(args: { customer: Record<string, unknown> }) {
          if (args.customer.name === 'reject-me') throw { Fault: { faultcode: 'soap:Client', faultstring: 'name reject-me is not allowed', statusCode: 500 } };
          state.added.push(args.customer);
          return { id: state.added.length };
        },
      },
    },
  };
  const xml = readFileSync(WSDL, 'utf8');
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  const server = soap.listen(http, { path: '/soap/customers', services: service, xml });
  server.authenticate = (security: unknown) => {
    const t = tokenOf(security);
    // A digest token is checked as WS-Security defines it: base64(sha1(nonce + created + password)).
    const expected = t.digest ? soap.passwordDigest(t.nonce ?? '', t.created ?? '', PASSWORD) : PASSWORD;
    const ok = t.username === USER && t.password === expected;
    state.tokens.push({ username: t.username ?? '', ok, digest: t.digest });
    return ok;
  };
  return {
    endpoint: `http://127.0.0.1:${port}/soap/customers`,
    wsdlUrl: `http://127.0.0.1:${port}/soap/customers?wsdl`,
    downEndpoint: `http://127.0.0.1:${port}/down/customers`,
    customers: state.customers,
    added: state.added,
    tokens: state.tokens,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
