/** Starts (or finds) the real mariadb server once, before any test file runs. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  execFileSync('bash', [join(import.meta.dirname, '..', '..', '..', 'tools/services/ensure-mariadb.sh')], { stdio: 'inherit', timeout: 240_000 });
}
