/**
 * Starts the CAP test service (test/cap/server.mjs) as a child process on a random loopback port
 * and stops it. Used as vitest globalSetup: the URL reaches the test files through
 * SPARKLE_TEST_SAP_CAP_URL (workers are forked after setup, so they inherit it).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** Credentials of the CAP service's mocked users (test fixtures, not secrets of any system). */
export const CAP_WRITER = { user: 'etl', password: 'cap-Test-Password-Not-Printed' };
export const CAP_READER = { user: 'reader', password: 'reader-pass' };

export async function startCap(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = fileURLToPath(new URL('./cap/server.mjs', import.meta.url));
  const proc = spawn(process.execPath, [server], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'test' } });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: string };
        if (parsed.url) resolve(parsed.url);
      } catch {
        // CAP's own log lines
      }
    });
    proc.once('exit', (code) => reject(new Error(`the CAP test service exited with ${code} before listening: ${stderr}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.stdin!.end(); // server.mjs exits when its stdin closes
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
    });
  return { url, stop };
}

export async function setup(): Promise<void> {
  const cap = await startCap();
  process.env.SPARKLE_TEST_SAP_CAP_URL = cap.url;
  teardownFn = cap.stop;
}

let teardownFn: (() => Promise<void>) | undefined;

export async function teardown(): Promise<void> {
  await teardownFn?.();
}
