/**
 * Packing a folder as a deployment package, the way `sam package` zips a CodeUri: every file with
 * its Unix mode, symbolic links as links, entries sorted and timestamps fixed, so the same files
 * always give the same bytes (and so the same CodeSha256).
 */
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, posix, resolve } from "node:path";
import { type Zippable, zipSync } from "fflate";

/** Folders a package never holds: version control and Jeff's own data. */
const skipped = new Set([".git", ".jeff", ".aws-sam"]);
const fixedTime = new Date("1980-01-01T00:00:00Z");
const unix = 3;

async function collect(
  root: string,
  rel: string,
  into: Zippable,
  exclude: ReadonlySet<string>,
): Promise<void> {
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (rel === "" && skipped.has(entry.name)) continue;
    const name = rel === "" ? entry.name : posix.join(rel, entry.name);
    const path = join(root, name);
    if (exclude.has(path)) continue;
    const info = await lstat(path);
    if (info.isDirectory()) {
      await collect(root, name, into, exclude);
    } else if (info.isSymbolicLink()) {
      into[name] = [
        new TextEncoder().encode(await readlink(path)),
        { attrs: (0o120777 << 16) >>> 0, os: unix, mtime: fixedTime, level: 0 },
      ];
    } else if (info.isFile()) {
      const mode = info.mode & 0o111 ? 0o100755 : 0o100644;
      into[name] = [await readFile(path), { attrs: (mode << 16) >>> 0, os: unix, mtime: fixedTime }];
    }
  }
}

/**
 * The folder's contents as a zip, the same bytes for the same files. `exclude` names absolute
 * paths left out wherever they are, such as a data directory kept inside the project.
 */
export async function zipDirectory(dir: string, exclude: readonly string[] = []): Promise<Buffer> {
  const files: Zippable = {};
  await collect(resolve(dir), "", files, new Set(exclude.map((path) => resolve(path))));
  return Buffer.from(zipSync(files, { level: 6 }));
}
