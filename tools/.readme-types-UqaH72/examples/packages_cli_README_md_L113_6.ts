import { main } from '@sparkle/cli';

// Run the CLI in-process: stdout/stderr/env/cwd are injectable (tests, embedding).
let out = '';
const code = await main(['lint', '--all-envs', '--json'], {
  stdout: { write: (s) => (out += s) },
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
console.log(code, JSON.parse(out).problems);
export {};
