/**
 * Symbolic links in the fs store are never followed. `ln -s ../../outside/face.jpg cases/x/ref.jpg` would send a
 * file from outside the bucket folder to the paid API, and `ln -s ../outside-dir cases/y` would make the door
 * write result.json there. The object itself is checked with lstat by the store; the folders on its path are
 * checked here: the real path of the deepest existing folder must be exactly where the key puts it under the
 * root's real path. Any link on the way (even one pointing inside the root) makes them differ.
 * Cost: one realpath(3) per operation. A link swapped in between the check and the syscall is not caught.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { StoreError } from './errors.ts';
import { isMissing } from './fs-files.ts';

export const symbolicLinkError = (key: string): StoreError =>
  new StoreError('SymbolicLink', `${key} is or goes through a symbolic link; links are not followed`, {
    key,
  });

/**
 * A check bound to one root: `(dir, key)` throws StoreError `SymbolicLink` when `dir` (a folder at or under
 * the root) is reached through a link. The root's own real path is looked up once it exists (the root itself
 * may be a link, such as a temp folder on macOS).
 */
export function linkedFolderGuard(root: string): (dir: string, key: string) => void {
  let realRoot: string | undefined;
  return (dir, key) => {
    realRoot ??= realOrMissing(root, key);
    if (realRoot === undefined) return; // no bucket folder yet: nothing can be linked inside it
    let current = dir;
    for (;;) {
      const real = realOrMissing(current, key);
      if (real !== undefined) {
        if (real !== path.join(realRoot, path.relative(root, current))) throw symbolicLinkError(key);
        return;
      }
      if (current === root) return;
      current = path.dirname(current); // missing: the deepest folder that exists decides
    }
  };
}

function realOrMissing(file: string, key: string): string | undefined {
  try {
    return realpathSync.native(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw symbolicLinkError(key);
    if (isMissing(err)) return undefined;
    throw err;
  }
}
