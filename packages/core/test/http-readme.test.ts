/**
 * The README's runnable HTTP example runs as written (its `@sparkle/core` import resolves to this
 * package's sources) and prints the five records after one throttled call.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';

it('the README HTTP example runs and prints every record after one retry', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## HTTP layer'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code, 'the HTTP section has a js example').toBeDefined();
  const dir = await mkdtemp(join(tmpdir(), 'sparkle-readme-'));
  const file = join(dir, 'http-example.mjs');
  await writeFile(file, code!);
  const lines: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args));
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    log.mockRestore();
    await rm(dir, { recursive: true, force: true });
  }
  expect(lines).toEqual([['retry after HTTP 429, waiting 1000 ms'], [{ id: 1 }], [{ id: 2 }], [{ id: 3 }], [{ id: 4 }], [{ id: 5 }]]);
});
