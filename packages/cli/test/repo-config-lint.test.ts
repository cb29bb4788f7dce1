/**
 * Issue 10 item 8: the repository's example configs (config/) lint clean with the README's own
 * command, `sparkle lint --all-envs`, with every workspace connector loaded and the prod
 * overlays' variables set as config/README.md documents them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LintResult } from '../src/index.js';
import { run } from './helpers.js';

const repo = resolve(import.meta.dirname, '../../..');
const connectors = readdirSync(join(repo, 'packages'))
  .filter((name) => name.startsWith('connector-'))
  .map((name) => join(repo, 'packages', name, 'src/index.ts'));

/** The variables config/README.md documents for the prod overlays, with stand-in values. */
function documentedVariables(): Record<string, string> {
  let doc = '';
  try {
    doc = readFileSync(join(repo, 'config/README.md'), 'utf8');
  } catch {}
  const names = [...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!);
  return Object.fromEntries(names.map((name) => [name, `stand-in-${name.toLowerCase()}`]));
}

describe('the repository example configs', () => {
  it('lint clean with `sparkle lint --all-envs`', async () => {
    const requires = connectors.flatMap((c) => ['--require', c]);
    const result = await run([...requires, 'lint', '--all-envs', '--json'], { cwd: repo, env: documentedVariables() });
    const problems = result.json<LintResult>().problems.filter((p) => p.severity === 'error');
    expect(problems).toEqual([]);
    expect(result.code).toBe(0);
  }, 120_000);
});
