/**
 * tools/services/lib.sh's svc_mvn_install with SVC_MVN_BOMS: the generated pom imports the named
 * poms' dependencyManagement, and the install marker names them (a BOM change reinstalls). A
 * stand-in `mvn` on PATH records the pom it was given instead of resolving anything.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = resolve(import.meta.dirname, '../../../tools/services/lib.sh');

describe('svc_mvn_install with SVC_MVN_BOMS', () => {
  it('imports the BOMs in the pom and keys the install marker on them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparkle-mvn-boms-'));
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    // The stand-in: copy the pom next to the output directory it was asked to fill.
    writeFileSync(join(bin, 'mvn'), '#!/usr/bin/env bash\nfor a in "$@"; do case "$a" in -DoutputDirectory=*) out="${a#-DoutputDirectory=}";; esac; done\nprev=""; for a in "$@"; do [[ "$prev" == -f ]] && pom="$a"; prev="$a"; done\nmkdir -p "$out" && cp "$pom" "$out/seen-pom.xml"\n');
    chmodSync(join(bin, 'mvn'), 0o755);
    const run = (boms: string) =>
      execFileSync('bash', ['-c', `source "${LIB}"; svc_begin mvnboms; SVC_MVN_BOMS="${boms}" svc_mvn_install 1.0 org.example:server:1.0`], {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SPARKLE_CACHE_DIR: join(dir, 'cache'), SPARKLE_RUN_DIR: join(dir, 'run') },
        encoding: 'utf8',
      });
    const lib = run('org.example:parent:1.0');
    const pom = readFileSync(join(lib, 'seen-pom.xml'), 'utf8');
    expect(pom).toContain('<dependencyManagement><dependencies><dependency><groupId>org.example</groupId><artifactId>parent</artifactId><version>1.0</version><type>pom</type><scope>import</scope></dependency></dependencies></dependencyManagement>');
    expect(pom).toContain('<artifactId>server</artifactId>');
    expect(readFileSync(join(dir, 'cache/services/mvnboms/1.0/.installed-mvn'), 'utf8')).toBe('mvn boms org.example:parent:1.0 org.example:server:1.0');
    // Another BOM is another install: the marker no longer matches, so mvn runs again.
    run('org.example:parent:2.0');
    expect(readFileSync(join(lib, 'seen-pom.xml'), 'utf8')).toContain('<artifactId>parent</artifactId><version>2.0</version>');
  });
});
