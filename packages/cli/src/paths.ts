/** File names as shown to users: relative to the working directory when inside it. */
import { isAbsolute, relative } from 'node:path';

export function displayFile(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
