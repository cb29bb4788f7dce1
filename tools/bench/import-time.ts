/**
 * Import cost: `@sparkle/core` + `@sparkle/connector-postgres` (built dist) in a fresh Node
 * process, against importing `zod` alone (core's only runtime dependency), median of N runs.
 * Also confirms that no driver (pg, apache-arrow) is loaded by the import.
 */
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const toolsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const PROBE = (specifiers: string[]) => `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const t0 = performance.now();
${specifiers.map((s) => `await import(${JSON.stringify(s)});`).join('\n')}
const ms = performance.now() - t0;
const drivers = Object.keys(require.cache).filter((k) => /node_modules\\/(pg|pg-copy-streams|apache-arrow)\\//.test(k)).length;
console.log(JSON.stringify({ ms, drivers }));
`;

async function once(specifiers: string[]): Promise<{ ms: number; drivers: number }> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE(specifiers)], { cwd: toolsDir, timeout: 30_000 });
  return JSON.parse(stdout.trim()) as { ms: number; drivers: number };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchImportTime(runs = 7): Promise<{ lines: string[]; sparkleMs: number; zodMs: number; drivers: number }> {
  const sparkle: number[] = [];
  const zod: number[] = [];
  let drivers = 0;
  for (let i = 0; i < runs; i++) {
    const s = await once(['@sparkle/core', '@sparkle/connector-postgres']);
    sparkle.push(s.ms);
    drivers = Math.max(drivers, s.drivers);
    zod.push((await once(['zod'])).ms);
  }
  const sparkleMs = median(sparkle);
  const zodMs = median(zod);
  const lines = [
    `import @sparkle/core + @sparkle/connector-postgres: ${sparkleMs.toFixed(1)} ms (median of ${runs} fresh processes) = ${(sparkleMs / zodMs).toFixed(2)}× importing zod alone (${zodMs.toFixed(1)} ms); ` +
      `target ≤ 100 ms: ${sparkleMs <= 100 ? 'met' : 'missed'}; driver modules loaded by the import: ${drivers}`,
  ];
  return { lines, sparkleMs, zodMs, drivers };
}
