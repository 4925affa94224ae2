/**
 * Filling a pooled slot's code folder from outside, on assignment: the slot's sandbox showed the
 * folder (read-only, at /var/task) since it started, empty; what is put in it now appears inside.
 *
 * Files are hard links to the unpacked code (a copy where the two folders are on different
 * file systems), so filling costs a directory walk, not the bytes. A code folder's files never
 * change once unpacked, and the sandbox sees them read-only, so the links share nothing writable.
 * Symbolic links are made again with the same text: the unpacker already refused any that
 * leaves the folder, and inside the sandbox they resolve as they would in the function's own
 * folder, at the same /var/task.
 */
import { copyFile, link, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import { join } from "node:path";

/** Puts the contents of `source` into the empty folder `target`. */
export async function fillCodeFolder(source: string, target: string): Promise<void> {
  const entries = await readdir(source, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const from = join(source, entry.name);
      const to = join(target, entry.name);
      if (entry.isDirectory()) {
        await mkdir(to, { mode: (await lstat(from)).mode & 0o7777 });
        await fillCodeFolder(from, to);
      } else if (entry.isSymbolicLink()) {
        await symlink(await readlink(from), to);
      } else if (entry.isFile()) {
        await linkOrCopy(from, to);
      }
      // Nothing else is ever unpacked (no devices, fifos or sockets): nothing else is filled.
    }),
  );
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw error;
    await copyFile(from, to);
  }
}
