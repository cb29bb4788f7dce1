/**
 * A loopback TCP proxy in front of a real server that, once armed, drops every open connection
 * after it has passed a given number of server-to-client bytes: a network cut in the middle of a
 * result stream, at a point the test chooses.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class CuttingProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #budget = Infinity;
  /** How many times connections were cut. */
  cuts = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.#server = createServer((client) => this.#pipe(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  /** After `bytes` more server-to-client bytes, cut every connection once. */
  armCut(bytes: number): void {
    this.#budget = bytes;
  }

  #pipe(client: Socket): void {
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    this.#sockets.add(client).add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (chunk.length < this.#budget) {
        this.#budget -= chunk.length;
        client.write(chunk);
        return;
      }
      // Pass what is left of the budget, then drop every connection mid-stream (once).
      client.write(chunk.subarray(0, this.#budget));
      this.#budget = Infinity;
      this.cuts++;
      for (const socket of [...this.#sockets]) socket.destroy();
      this.#sockets.clear();
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
