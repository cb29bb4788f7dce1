/**
 * SFTP bench against the real OpenSSH server of tools/services/ensure-sshd.sh: a download of one
 * `--sftp-mb` MB file (default 500) into a local file through `@sparkle/connector-sftp`
 * (`getObject`, its raw read path, piped to the file) against `ssh2-sftp-client`'s `fastGet` of
 * the same file from the same server, in the same process, alternately; the best of a few runs
 * of each is compared. The file is written into a fresh directory under the server's root and
 * removed at the end, with the local copies.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tools/services/ensure-sshd.sh (pnpm bench does) and export its lines`);
  return value;
}

/** Incompressible bytes (xorshift), written in 8 MiB chunks so the file is never held whole. */
async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const file = await open(path, 'w');
  try {
    let x = 0x9e3779b9;
    const chunk = new Uint32Array((8 << 20) / 4);
    for (let at = 0; at < bytes; at += chunk.byteLength) {
      for (let i = 0; i < chunk.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        chunk[i] = x >>> 0;
      }
      await file.write(new Uint8Array(chunk.buffer, 0, Math.min(chunk.byteLength, bytes - at)));
    }
  } finally {
    await file.close();
  }
}

/** ssh2-sftp-client as connector-sftp resolves it (tools/ does not depend on it directly). */
async function sftpClientClass(): Promise<typeof import('ssh2-sftp-client')> {
  const require = createRequire(join(root, 'packages/connector-sftp/package.json'));
  const mod = (await import(pathToFileURL(require.resolve('ssh2-sftp-client')).href)) as { default: typeof import('ssh2-sftp-client') };
  return mod.default;
}

export async function benchSftp(options: { mb?: number; runs?: number } = {}): Promise<{ lines: string[] }> {
  const mb = options.mb ?? 500;
  const runs = options.runs ?? 3;
  const bytes = mb * 1024 * 1024;
  const server = {
    host: need('SPARKLE_TEST_SFTP_HOST'),
    port: Number(need('SPARKLE_TEST_SFTP_PORT')),
    username: need('SPARKLE_TEST_SFTP_USER'),
    privateKey: await readFile(need('SPARKLE_TEST_SFTP_KEY'), 'utf8'),
  };
  // The server runs on this machine: its root is a local directory, so the file is written there directly.
  const remoteDir = join(need('SPARKLE_TEST_SFTP_ROOT'), `bench-${process.pid}-${Date.now().toString(36)}`);
  const localDir = await mkdtemp(join(tmpdir(), 'sparkle-sftp-bench-'));
  await mkdir(remoteDir, { recursive: true });
  const SftpClient = await sftpClientClass();
  const peer = new SftpClient('bench');
  let conn: { getObject(key: string): AsyncIterable<Uint8Array>; close(): Promise<void> } | undefined;
  try {
    await writeRandomFile(join(remoteDir, 'data.bin'), bytes);
    const core = await import('@sparkle/core');
    await import('@sparkle/connector-sftp');
    const hostKey = (await readFile(need('SPARKLE_TEST_SFTP_HOST_KEY'), 'utf8')).trim().split(/\s+/)[1]!;
    const { sshFingerprint } = await import('@sparkle/connector-sftp');
    conn = await core.getConnection('sftp', {
      config: { ...server, root: remoteDir, hostKeyFingerprint: sshFingerprint(Buffer.from(hostKey, 'base64')) },
      dotenv: false,
      variables: {},
    });
    await peer.connect(server);

    const target = join(localDir, 'copy.bin');
    const check = async () => {
      const size = (await stat(target)).size;
      if (size !== bytes) throw new Error(`downloaded ${size} of ${bytes} bytes`);
      await rm(target);
    };
    const sparkle = async () => {
      await pipeline(Readable.from(conn!.getObject('data.bin')), createWriteStream(target));
      await check();
    };
    const fastGet = async () => {
      await peer.fastGet(join(remoteDir, 'data.bin'), target);
      await check();
    };
    const time = async (fn: () => Promise<void>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    await time(fastGet);
    await time(sparkle); // warm-up of both (connections, page cache)
    let best = { fastGet: Infinity, sparkle: Infinity };
    for (let i = 0; i < runs; i++) {
      best = { fastGet: Math.min(best.fastGet, await time(fastGet)), sparkle: Math.min(best.sparkle, await time(sparkle)) };
    }
    const rate = (ms: number) => `${(mb / (ms / 1000)).toFixed(0)} MB/s`;
    const ratio = best.fastGet / best.sparkle;
    return {
      lines: [
        `${mb} MB file from OpenSSH (127.0.0.1:${server.port}) to a local file; best of ${runs}`,
        `ssh2-sftp-client fastGet:   ${best.fastGet.toFixed(0)} ms (${rate(best.fastGet)})`,
        `sftp getObject → file:      ${best.sparkle.toFixed(0)} ms (${rate(best.sparkle)})`,
        `ratio ${ratio.toFixed(2)}× fastGet (target ≥ 0.90×)${ratio >= 0.9 ? '' : ' — BELOW TARGET'}`,
      ],
    };
  } finally {
    await peer.end().catch(() => undefined);
    await conn?.close();
    await rm(remoteDir, { recursive: true, force: true });
    await rm(localDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { lines } = await benchSftp({ mb: Number(process.argv[2] ?? 500) });
  for (const line of lines) console.log(line);
}
