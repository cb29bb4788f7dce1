/**
 * Atomic file writes (temp file in the target's directory + fsync + rename) for writers on this
 * machine. Keys confined to a base directory and glob matching live with the filesystem object
 * store (`@sparkle/connector-local`) and `@sparkle/formats` (picomatch).
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { newWriteToken, parseTempFileName, removeStaleLeftovers, SparkleError, takeWriterLease, tempFileName, type Leftover } from '@sparkle/core';

/** What an atomic write does with an existing target. */
export type AtomicMode = 'overwrite' | 'create' | 'append';

export interface AtomicWriteOptions {
  /** `create` fails if the target exists (atomically: no race); `overwrite` replaces it; `append` starts from a copy of it. */
  mode: AtomicMode;
  connector?: string;
  signal?: AbortSignal;
}

/**
 * Writes `target` atomically: `write` fills a temp file in the same directory, which is then
 * fsynced and renamed (or hard-linked, for `create`) into place. Readers see the old file or the
 * new one, never a partial one; a failure or abort leaves the target untouched.
 *
 * @example
 * ```ts
 * await writeAtomically('/data/out.csv', async (file) => { await file.write('a,b\n'); }, { mode: 'overwrite' });
 * ```
 */
export async function writeAtomically<T>(target: string, write: (file: FileHandle, tempPath: string) => Promise<T>, options: AtomicWriteOptions): Promise<T> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  // A temp file a killed writer left beside this target goes first (only when its writer is gone).
  await removeStaleTempFiles(dir, basename(target));
  const token = newWriteToken();
  const temp = join(dir, tempFileName(basename(target), token));
  const lease = await takeWriterLease(token, { connector: options.connector ?? 'file', target });
  let handle: FileHandle | undefined;
  try {
    if (options.mode === 'append') {
      await copyFile(target, temp, constants.COPYFILE_EXCL).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      handle = await open(temp, 'a');
    } else handle = await open(temp, 'wx');
    const result = await write(handle, temp);
    options.signal?.throwIfAborted();
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.mode === 'create') {
      // link() fails with EEXIST instead of replacing: no window where another writer's file is clobbered.
      try {
        await link(temp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new SparkleError('TABLE_EXISTS', `${target} already exists`, { connector: options.connector, details: { path: target } });
        }
        throw error;
      }
      await unlink(temp).catch(() => undefined);
    } else await rename(temp, target);
    await syncDir(dir);
    return result;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    await lease.release();
  }
}

/**
 * The temp files of earlier writes to `dir/base` that no live writer owns (a writer killed with
 * SIGKILL leaves its `.base.<token>.sparkle-tmp`): removed best effort, never failing the write.
 */
async function removeStaleTempFiles(dir: string, base: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const found: Leftover[] = [];
  for (const name of names) {
    const parsed = parseTempFileName(name);
    if (parsed?.target === base) found.push({ kind: 'file', name: join(dir, name), target: join(dir, base), token: parsed.token });
  }
  if (found.length) await removeStaleLeftovers(found, (l) => unlink(l.name));
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Directory fsync is unsupported on some systems; the rename itself is still atomic.
  }
}

/** True when `path` exists. */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
