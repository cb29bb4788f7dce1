/**
 * Atomic file writes (temp file in the target's directory + fsync + rename) for writers on this
 * machine. Keys confined to a base directory and glob matching live with the filesystem object
 * store (`@sparkle/connector-local`) and `@sparkle/formats` (picomatch).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SparkleError } from '@sparkle/core';

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
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.sparkle-tmp`);
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
  }
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
