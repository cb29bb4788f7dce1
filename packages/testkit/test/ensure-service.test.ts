/**
 * ensureService against fake ensure scripts in a temporary repository layout, and the real
 * tools/services/lib.sh + stop-all.sh driving a tiny real server (a Node TCP listener).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkleError } from '@sparkle/core';
import { ensureService, findServicesRoot, parseExportLines, tempDir, tcpOpen, type TempDir } from '../src/index.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');

function writeScript(path: string, body: string): void {
  writeFileSync(path, `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
  chmodSync(path, 0o755);
}


/** Gone, or a zombie until whichever process adopted it reaps it. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && !gone(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return gone(pid);
}

describe('parseExportLines', () => {
  it('reads back every value bash quotes with printf %q', () => {
    const values = ['plain', 'two words', "it's", 'a"b', 'tab\there', 'line\nbreak', 'dollar $HOME', 'back\\slash', 'ünïcode', ''];
    const script = values.map((v, i) => `printf 'export V${i}=%q\\n' ${shellSingle(v)}`).join('\n');
    const printed = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    const parsed = parseExportLines(printed);
    expect(values.map((_, i) => parsed[`V${i}`])).toEqual(values);
  });

  it('ignores lines that are not exports', () => {
    expect(parseExportLines('redis: ready\nexport A=1\n# export B=2\nexport  C="x y"\n')).toEqual({ A: '1', C: 'x y' });
  });
});

function shellSingle(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

describe('ensureService with fake scripts', () => {
  let repo: TempDir;
  let nested: string;

  beforeAll(async () => {
    repo = await tempDir('sparkle-fake-repo-');
    const services = join(repo.path, 'tools', 'services');
    nested = join(repo.path, 'packages', 'connector-x', 'test');
    mkdirSync(services, { recursive: true });
    mkdirSync(nested, { recursive: true });
    writeScript(join(services, 'ensure-fakeok.sh'), `echo "fakeok: starting" >&2\nprintf 'export SPARKLE_FAKE_URL=%q\\n' 'tcp://127.0.0.1:1/a b'\necho 'export SPARKLE_FAKE_PORT=4242'`);
    writeScript(join(services, 'ensure-fakefail.sh'), `echo "fakefail: no such package: fake-server" >&2\nexit 3`);
    writeScript(join(services, 'ensure-fakeslow.sh'), `exec sleep 60`);
  });
  afterAll(async () => {
    delete process.env.SPARKLE_FAKE_URL;
    delete process.env.SPARKLE_FAKE_PORT;
    await repo.cleanup();
  });

  it('finds the script walking up from cwd, returns its variables and sets them in process.env', async () => {
    const logged: string[] = [];
    const vars = await ensureService('fakeok', { cwd: nested, log: (c) => logged.push(c) });
    expect(vars).toEqual({ SPARKLE_FAKE_URL: 'tcp://127.0.0.1:1/a b', SPARKLE_FAKE_PORT: '4242' });
    expect(process.env.SPARKLE_FAKE_URL).toBe('tcp://127.0.0.1:1/a b');
    expect(logged.join('')).toContain('fakeok: starting');
    expect(findServicesRoot(nested, 'ensure-fakeok.sh')).toBe(repo.path);
  });

  it('a failing script is a ConnectionFailedError with its last output', async () => {
    const error = await ensureService('fakefail', { cwd: nested, log: () => undefined }).catch((e: unknown) => e);
    expect(SparkleError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: 'ConnectionFailedError', connector: 'fakefail', details: { exitCode: 3 } });
    expect((error as Error).message).toContain('no such package: fake-server');
  });

  it('a script that does not finish is stopped and reported as a TimeoutError', async () => {
    const error = await ensureService('fakeslow', { cwd: nested, timeoutMs: 300, log: () => undefined }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', connector: 'fakeslow' });
  });

  it('a missing script or a bad name is an InvalidArgumentError naming the fix', async () => {
    await expect(ensureService('nosuchservice', { cwd: nested })).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringContaining('tools/services/ensure-nosuchservice.sh') });
    await expect(ensureService('../etc', { cwd: nested })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });
});

describe('tools/services/lib.sh and stop-all.sh on a real (tiny) server', () => {
  let repo: TempDir;
  let runDir: string;
  let port: number;
  const savedRunDir = process.env.SPARKLE_RUN_DIR;

  beforeAll(async () => {
    repo = await tempDir('sparkle-lib-repo-');
    const services = join(repo.path, 'tools', 'services');
    mkdirSync(services, { recursive: true });
    copyFileSync(join(REPO, 'tools/services/lib.sh'), join(services, 'lib.sh'));
    copyFileSync(join(REPO, 'tools/services/stop-all.sh'), join(services, 'stop-all.sh'));
    runDir = join(repo.path, 'run');
    // A free loopback port for the fake server.
    port = await new Promise<number>((resolvePort, reject) => {
      const probe = createServer().once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
      });
    });
    writeScript(
      join(services, 'ensure-testkit-fake.sh'),
      [
        'source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"',
        'svc_begin testkit-fake',
        `port=${port}`,
        'svc_env SPARKLE_TEST_FAKE_URL "tcp://127.0.0.1:$port"',
        'answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }',
        'svc_exit_if_answering answers',
        'echo started >>"$SPARKLE_RUN_DIR/starts"',
        `svc_spawn "$SPARKLE_RUN_DIR/fake.log" ${JSON.stringify(process.execPath)} -e "require('net').createServer(s=>s.end()).listen($port,'127.0.0.1')"`,
        'svc_record_stop "echo stopped >>$SPARKLE_RUN_DIR/stops"',
        'svc_wait_until 30 answers',
        'svc_assert_loopback "$port"',
        'svc_finish',
      ].join('\n'),
    );
    writeScript(
      join(services, 'ensure-testkit-stubborn.sh'),
      [
        'source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"',
        'svc_begin testkit-stubborn',
        // A "server" that ignores TERM (and so do its children): stop-all must escalate to KILL.
        // (Single quotes around the -c script: `trap "" TERM` must reach bash as written, since a
        // bare `trap TERM` would only reset TERM to whatever the shell inherited.)
        `svc_spawn "$SPARKLE_RUN_DIR/stubborn.log" bash -c 'trap "" TERM; echo up; while :; do sleep 1; done'`,
        'up() { grep -q up "$SPARKLE_RUN_DIR/stubborn.log"; }',
        'svc_wait_until 30 up',
        'svc_finish',
      ].join('\n'),
    );
    process.env.SPARKLE_RUN_DIR = runDir;
  });
  afterAll(async () => {
    spawnSync('bash', [join(repo.path, 'tools/services/stop-all.sh')], { env: { ...process.env, SPARKLE_RUN_DIR: runDir } });
    if (savedRunDir === undefined) delete process.env.SPARKLE_RUN_DIR;
    else process.env.SPARKLE_RUN_DIR = savedRunDir;
    delete process.env.SPARKLE_TEST_FAKE_URL;
    await repo.cleanup();
  });

  it('two callers at once: one start, both get the env lines, and the records are written', async () => {
    const options = { repoRoot: repo.path, log: () => undefined };
    const [a, b] = await Promise.all([ensureService('testkit-fake', options), ensureService('testkit-fake', options)]);
    expect(a).toEqual({ SPARKLE_TEST_FAKE_URL: `tcp://127.0.0.1:${port}` });
    expect(b).toEqual(a);
    expect(await tcpOpen('127.0.0.1', port)).toBe(true);
    expect(readFileSync(join(runDir, 'starts'), 'utf8')).toBe('started\n');
    expect(readFileSync(join(runDir, 'testkit-fake.env'), 'utf8')).toBe(`export SPARKLE_TEST_FAKE_URL=tcp://127.0.0.1:${port}\n`);
    expect(readFileSync(join(runDir, 'testkit-fake.pid'), 'utf8')).toMatch(/^\d+\n$/);
    // One call started it, the other found it answering (the order is the lock's).
    expect(readFileSync(join(runDir, 'testkit-fake.time'), 'utf8')).toMatch(/^state=(started|running) install=[\d.]+ start=[\d.]+\n$/);
  });

  it('stop-all stops what was started, runs the stop record and clears every record', async () => {
    const pid = Number(readFileSync(join(runDir, 'testkit-fake.pid'), 'utf8'));
    const result = spawnSync('bash', [join(repo.path, 'tools/services/stop-all.sh')], { env: { ...process.env, SPARKLE_RUN_DIR: runDir }, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('testkit-fake: stopped');
    expect(await waitGone(pid)).toBe(true);
    expect(await tcpOpen('127.0.0.1', port)).toBe(false);
    expect(readFileSync(join(runDir, 'stops'), 'utf8')).toBe('stopped\n');
    for (const ext of ['pid', 'stop', 'env', 'time']) expect(existsSync(join(runDir, `testkit-fake.${ext}`))).toBe(false);
  });

  it('stop-all KILLs a server that ignores TERM once SPARKLE_STOP_TIMEOUT has passed', async () => {
    await ensureService('testkit-stubborn', { repoRoot: repo.path, log: () => undefined });
    const pid = Number(readFileSync(join(runDir, 'testkit-stubborn.pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).not.toThrow();
    const result = spawnSync('bash', [join(repo.path, 'tools/services/stop-all.sh')], { env: { ...process.env, SPARKLE_RUN_DIR: runDir, SPARKLE_STOP_TIMEOUT: '1' }, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('testkit-stubborn: still running after 1s, KILL');
    expect(await waitGone(pid)).toBe(true);
    expect(existsSync(join(runDir, 'testkit-stubborn.pid'))).toBe(false);
  });
});
