/** Issue 10 item 10: typos of commands and flags get a "did you mean". */
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

describe('did you mean', () => {
  it.each([
    ['lsit', 'list'],
    ['tset', 'test'],
    ['cpoy', 'copy'],
    ['lnit', 'lint'],
  ])('the command %s suggests %s', async (typo, meant) => {
    const result = await run([typo]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: Unknown command '${typo}'. Did you mean '${meant}'?`);
  });

  it('an unknown flag suggests the closest flag of that command', async () => {
    const result = await run(['test', 'postgres', '--evn', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Unknown option '--evn'\. Did you mean --env\?$/m);
    const copy = await run(['copy', 'a:b', 'c:d', '--partiton-column', 'id']);
    expect(copy.stderr).toMatch(/Did you mean --partition-column\?/);
  });

  it('says nothing when no flag is close', async () => {
    const result = await run(['list', '--zzzzzz']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/Did you mean/);
  });
});
