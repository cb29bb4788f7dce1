/**
 * A minimal in-process SQL Server on 127.0.0.1 speaking enough TDS 7.4 for the real
 * mssql/tedious client: PRELOGIN (answering "encryption not supported", so no TLS), LOGIN7
 * (decoding the user and the obfuscated password; a LOGINACK or an ERROR 18456), SQL batches
 * (skipping ALL_HEADERS) answered with COLMETADATA + ROW + DONE for `SELECT <int> [AS name]`
 * and a bare DONE otherwise, and ATTENTION. It records what it received for assertions.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

const PKT = { SQL_BATCH: 0x01, RPC: 0x03, REPLY: 0x04, ATTENTION: 0x06, TRANSACTION_MANAGER: 0x0e, LOGIN7: 0x10, PRELOGIN: 0x12 } as const;
const TOKEN = { RETURNSTATUS: 0x79, COLMETADATA: 0x81, ERROR: 0xaa, LOGINACK: 0xad, ROW: 0xd1, ENVCHANGE: 0xe3, DONE: 0xfd, DONEPROC: 0xfe, DONEINPROC: 0xff } as const;

export interface FakeTdsOptions {
  user: string;
  password: string;
}

/** A statement as received, with the transaction descriptor its ALL_HEADERS carried (0n: none). */
export interface ReceivedStatement {
  sql: string;
  transaction: bigint;
}

export interface ReceivedLogin {
  user: string;
  password: string;
  database: string;
  appName: string;
}

function ucs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

function bVarChar(text: string): Buffer {
  return Buffer.concat([Buffer.from([text.length]), ucs2(text)]);
}

function usVarChar(text: string): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16LE(text.length);
  return Buffer.concat([len, ucs2(text)]);
}

function withLength(token: number, body: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = token;
  head.writeUInt16LE(body.length, 1);
  return Buffer.concat([head, body]);
}

function done(status: number, curCmd: number, rowCount: number, token: number = TOKEN.DONE): Buffer {
  const b = Buffer.alloc(13);
  b[0] = token;
  b.writeUInt16LE(status, 1);
  b.writeUInt16LE(curCmd, 3);
  b.writeBigUInt64LE(BigInt(rowCount), 5);
  return b;
}

function errorToken(number: number, state: number, cls: number, message: string): Buffer {
  const num = Buffer.alloc(4);
  num.writeInt32LE(number);
  const line = Buffer.alloc(4);
  return withLength(TOKEN.ERROR, Buffer.concat([num, Buffer.from([state, cls]), usVarChar(message), bVarChar('fake-tds'), bVarChar(''), line]));
}

function loginAck(): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32BE(0x74000004);
  return withLength(TOKEN.LOGINACK, Buffer.concat([Buffer.from([1]), version, bVarChar('Microsoft SQL Server'), Buffer.from([16, 0, 0x10, 0x00])]));
}

function databaseChange(name: string): Buffer {
  return withLength(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([1]), bVarChar(name), bVarChar('master')]));
}

/** COLMETADATA with one INTN(4) column, one ROW, DONE (or DONEINPROC inside an RPC) with a count. */
function intResult(name: string, value: number, doneToken: number = TOKEN.DONE): Buffer {
  const meta = Buffer.alloc(3 + 4 + 2 + 2);
  meta[0] = TOKEN.COLMETADATA;
  meta.writeUInt16LE(1, 1); // column count
  meta.writeUInt32LE(0, 3); // user type
  meta.writeUInt16LE(0x0001, 7); // flags: nullable
  meta[9] = 0x26; // INTNTYPE
  meta[10] = 4; // max length
  const row = Buffer.alloc(6);
  row[0] = TOKEN.ROW;
  row[1] = 4;
  row.writeInt32LE(value, 2);
  return Buffer.concat([meta, bVarChar(name), row, done(0x10, 0xc1, 1, doneToken)]);
}

/** The transaction descriptor in a request's ALL_HEADERS (header type 2), or 0n. */
function transactionOf(payload: Buffer): bigint {
  const total = payload.readUInt32LE(0);
  for (let o = 4; o < total; ) {
    const length = payload.readUInt32LE(o);
    if (payload.readUInt16LE(o + 4) === 2) return payload.readBigUInt64LE(o + 6);
    o += length;
  }
  return 0n;
}

/** ENVCHANGE for a transaction event: 8 begin (new descriptor), 9 commit / 10 rollback (old descriptor). */
function transactionChange(type: 8 | 9 | 10, descriptor: bigint): Buffer {
  const value = Buffer.alloc(9);
  value[0] = 8;
  value.writeBigUInt64LE(descriptor, 1);
  const empty = Buffer.from([0]);
  return withLength(TOKEN.ENVCHANGE, Buffer.concat([Buffer.from([type]), type === 8 ? value : empty, type === 8 ? empty : value]));
}

/** The statement of an RPC request (sp_executesql's first parameter, an NVARCHAR, possibly PLP-chunked). */
function rpcStatement(payload: Buffer): { proc: string | number; sql: string } {
  let o = payload.readUInt32LE(0); // skip ALL_HEADERS
  let proc: string | number;
  if (payload.readUInt16LE(o) === 0xffff) {
    proc = payload.readUInt16LE(o + 2);
    o += 4;
  } else {
    const n = payload.readUInt16LE(o);
    proc = payload.subarray(o + 2, o + 2 + n * 2).toString('utf16le');
    o += 2 + n * 2;
  }
  o += 2; // option flags
  o += 1 + payload[o]! * 2; // parameter name
  o += 1; // status flags
  const type = payload[o++]!;
  if (type !== 0xe7 && type !== 0xef) return { proc, sql: '' };
  const maxLen = payload.readUInt16LE(o);
  o += 2 + 5; // max length, collation
  if (maxLen !== 0xffff) {
    const len = payload.readUInt16LE(o);
    return { proc, sql: payload.subarray(o + 2, o + 2 + len).toString('utf16le') };
  }
  o += 8; // PLP total length
  const parts: Buffer[] = [];
  for (;;) {
    const chunk = payload.readUInt32LE(o);
    o += 4;
    if (chunk === 0) break;
    parts.push(payload.subarray(o, o + chunk));
    o += chunk;
  }
  return { proc, sql: Buffer.concat(parts).toString('utf16le') };
}

function returnStatus(value: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = TOKEN.RETURNSTATUS;
  b.writeInt32LE(value, 1);
  return b;
}

/** Reads a LOGIN7 string field (offset/length pairs at fixed positions, UCS-2 characters). */
function loginField(payload: Buffer, at: number, password = false): string {
  const offset = payload.readUInt16LE(at);
  const chars = payload.readUInt16LE(at + 2);
  const bytes = Buffer.from(payload.subarray(offset, offset + chars * 2));
  if (password) {
    // The client swapped each byte's nibbles and XORed it with 0xA5: undo both.
    for (let i = 0; i < bytes.length; i++) {
      const x = bytes[i]! ^ 0xa5;
      bytes[i] = ((x & 0x0f) << 4) | (x >> 4);
    }
  }
  return bytes.toString('utf16le');
}

export class FakeTdsServer {
  readonly logins: ReceivedLogin[] = [];
  readonly batches: string[] = [];
  /** Every SQL batch and RPC statement with the transaction it ran in. */
  readonly statements: ReceivedStatement[] = [];
  /** Transaction manager requests in order: begin, commit, rollback. */
  readonly transactions: string[] = [];
  private nextDescriptor = 0x1000n;
  private currentDescriptor = 0n;
  readonly packetTypes: number[] = [];
  private server?: Server;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(readonly options: FakeTdsOptions) {}

  async start(): Promise<this> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let message: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 8) {
        const length = buffer.readUInt16BE(2);
        if (buffer.length < length) break;
        const type = buffer[0]!;
        const status = buffer[1]!;
        message.push(buffer.subarray(8, length));
        buffer = buffer.subarray(length);
        if (status & 0x01) {
          const payload = Buffer.concat(message);
          message = [];
          this.packetTypes.push(type);
          this.answer(socket, type, payload);
        }
      }
    });
  }

  private send(socket: Socket, payload: Buffer): void {
    const max = 4096 - 8;
    for (let i = 0, id = 1; i < payload.length || i === 0; i += max, id++) {
      const part = payload.subarray(i, i + max);
      const head = Buffer.alloc(8);
      head[0] = PKT.REPLY;
      head[1] = i + max >= payload.length ? 0x01 : 0x00;
      head.writeUInt16BE(part.length + 8, 2);
      head[6] = id & 0xff;
      socket.write(Buffer.concat([head, part]));
      if (payload.length === 0) break;
    }
  }

  /** Tokens answering one statement; inside an RPC the statement ends with DONEINPROC, RETURNSTATUS and DONEPROC. */
  private run(sql: string, rpc: boolean): Buffer {
    const end = (status: number) => (rpc ? Buffer.concat([returnStatus(status & 0x2 ? 1 : 0), done(status, 0, 0, TOKEN.DONEPROC)]) : done(status, 0, 0));
    const select = /^\s*select\s+(-?\d+)(?:\s+as\s+\[?(\w+)\]?)?\s*;?\s*$/i.exec(sql);
    if (select) return Buffer.concat([intResult(select[2] ?? '', Number(select[1]), rpc ? TOKEN.DONEINPROC : TOKEN.DONE), ...(rpc ? [end(0)] : [])]);
    if (/^\s*select\b/i.test(sql)) return Buffer.concat([errorToken(208, 1, 16, 'Invalid object name (the fake server knows SELECT <int> only).'), end(0x0002)]);
    return end(0);
  }

  private answer(socket: Socket, type: number, payload: Buffer): void {
    switch (type) {
      case PKT.PRELOGIN: {
        // Options: VERSION (6 bytes) and ENCRYPTION (1 byte: 0x02 = not supported), then 0xFF.
        const header = Buffer.from([0x00, 0, 11, 0, 6, 0x01, 0, 17, 0, 1, 0xff]);
        this.send(socket, Buffer.concat([header, Buffer.from([16, 0, 0x10, 0x00, 0, 0]), Buffer.from([0x02])]));
        return;
      }
      case PKT.LOGIN7: {
        const login = { user: loginField(payload, 40), password: loginField(payload, 44, true), appName: loginField(payload, 48), database: loginField(payload, 68) };
        this.logins.push(login);
        if (login.user !== this.options.user || login.password !== this.options.password) {
          this.send(socket, Buffer.concat([errorToken(18456, 1, 14, `Login failed for user '${login.user}'.`), done(0x0002, 0, 0)]));
          return;
        }
        this.send(socket, Buffer.concat([databaseChange(login.database || 'master'), loginAck(), done(0, 0, 0)]));
        return;
      }
      case PKT.SQL_BATCH: {
        const headers = payload.readUInt32LE(0);
        const sql = payload.subarray(headers).toString('utf16le');
        this.batches.push(sql);
        this.statements.push({ sql, transaction: transactionOf(payload) });
        this.send(socket, this.run(sql, false));
        return;
      }
      case PKT.RPC: {
        const { sql } = rpcStatement(payload);
        this.batches.push(sql);
        this.statements.push({ sql, transaction: transactionOf(payload) });
        this.send(socket, this.run(sql, true));
        return;
      }
      case PKT.TRANSACTION_MANAGER: {
        // Request types: 5 begin, 7 commit, 8 rollback (after ALL_HEADERS).
        const request = payload.readUInt16LE(payload.readUInt32LE(0));
        if (request === 5) {
          this.currentDescriptor = this.nextDescriptor++;
          this.transactions.push('begin');
          this.send(socket, Buffer.concat([transactionChange(8, this.currentDescriptor), done(0, 0, 0)]));
        } else if (request === 7 || request === 8) {
          this.transactions.push(request === 7 ? 'commit' : 'rollback');
          const old = this.currentDescriptor;
          this.currentDescriptor = 0n;
          this.send(socket, Buffer.concat([transactionChange(request === 7 ? 9 : 10, old), done(0, 0, 0)]));
        } else this.send(socket, Buffer.concat([errorToken(50000, 1, 16, `Unsupported transaction request ${request}.`), done(0x0002, 0, 0)]));
        return;
      }
      case PKT.ATTENTION:
        this.send(socket, done(0x0020, 0, 0));
        return;
      default:
        this.send(socket, Buffer.concat([errorToken(50000, 1, 16, `The fake server does not handle packet type ${type}.`), done(0x0002, 0, 0)]));
    }
  }
}
