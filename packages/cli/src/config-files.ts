/** Small views of the config directory layout (`<root>/connections/<type>/<env>.json`). */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listConfigEnvs, listConfiguredTypes } from '@sparkle/core';

/** `<root>/connections` when it exists, else `<root>` (core accepts either). */
export function connectionsDir(root: string): string {
  const nested = join(root, 'connections');
  try {
    return statSync(nested).isDirectory() ? nested : root;
  } catch {
    return root;
  }
}

/** True when `<type>/` has a `common.json` (which applies to every env). */
export function hasCommonFile(root: string, type: string): boolean {
  return existsSync(join(connectionsDir(root), type, 'common.json'));
}

/** Type folders that configure `env`: an `<env>.json`, or a `common.json` that serves every env. */
export function typesConfiguredFor(root: string, env: string): string[] {
  return listConfiguredTypes(root).filter((type) => hasCommonFile(root, type) || listConfigEnvs(root, type).includes(env));
}

/** Every (type, env) pair under the root; a type with only `common.json` is paired with `fallbackEnv`. */
export function allTypeEnvPairs(root: string, fallbackEnv: string): Array<{ type: string; env: string }> {
  return listConfiguredTypes(root).flatMap((type) => {
    const envs = listConfigEnvs(root, type);
    return (envs.length ? envs : [fallbackEnv]).map((env) => ({ type, env }));
  });
}
