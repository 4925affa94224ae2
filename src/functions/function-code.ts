/**
 * A function's code on disk: a deployment package unpacked once into a folder named by its hash,
 * which environments then read. Nothing in a package may reach outside that folder.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, rename, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { pinCodeFolder } from "./code-sweep.js";
import { lambdaErrors } from "./lambda-errors.js";
import { readZip, ZipError } from "./zip-archive.js";

/** Lambda's limits for a package uploaded directly, and for its unpacked size. */
export const codeLimits = { zippedBytes: 50 * 1024 * 1024, unzippedBytes: 250 * 1024 * 1024 } as const;

export interface StoredCode {
  readonly dir: string;
  /** Base64 SHA-256 of the package, as Lambda reports CodeSha256. */
  readonly sha256: string;
  readonly size: number;
}

const symlinkType = 0o120000;
const typeMask = 0o170000;

function escapes(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** Checks and unpacks `zip` under `codeRoot/<hash>`; an existing folder for the same hash is reused. */
export async function storeCode(codeRoot: string, zip: Buffer): Promise<StoredCode> {
  if (zip.length > codeLimits.zippedBytes) {
    throw lambdaErrors.requestTooLarge(`Zipped size must be smaller than ${codeLimits.zippedBytes} bytes`);
  }
  const sha256 = createHash("sha256").update(zip).digest("base64");
  const folder = createHash("sha256").update(zip).digest("hex");
  const dir = join(codeRoot, folder);
  if (existsSync(dir)) {
    // Pinned in the same synchronous step as the check, so the sweep (code-sweep.ts) cannot take
    // it before the caller records it; touched for the next process's sweep.
    pinCodeFolder(dir);
    const now = new Date();
    await utimes(dir, now, now).catch(() => {});
    return { dir, sha256, size: zip.length };
  }

  let entries: ReturnType<typeof readZip>;
  try {
    entries = readZip(zip);
  } catch (error) {
    if (error instanceof ZipError)
      throw lambdaErrors.invalidParameter(`Could not unzip uploaded file. ${error.message}`);
    throw error;
  }
  let total = 0;
  for (const entry of entries) total += entry.data.length;
  if (total > codeLimits.unzippedBytes) {
    throw lambdaErrors.invalidParameter(
      `Unzipped size must be smaller than ${codeLimits.unzippedBytes} bytes`,
    );
  }
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  try {
    for (const entry of entries) {
      const target = resolve(staging, normalize(entry.name));
      if (escapes(staging, target)) {
        throw lambdaErrors.invalidParameter(
          `The deployment package holds a path outside its root: ${entry.name}`,
        );
      }
      await mkdir(dirname(target), { recursive: true });
      if ((entry.mode & typeMask) === symlinkType) {
        const linkTarget = new TextDecoder().decode(entry.data);
        if (isAbsolute(linkTarget) || escapes(staging, resolve(dirname(target), linkTarget))) {
          throw lambdaErrors.invalidParameter(
            `The deployment package holds a symbolic link that points outside it: ${entry.name} -> ${linkTarget}`,
          );
        }
        await symlink(linkTarget, target);
        continue;
      }
      await writeFile(target, entry.data);
      // Keep the executable bit (a `bootstrap` must run), never more than the owner's rights.
      if (entry.mode & 0o111) await chmod(target, 0o755);
    }
    await mkdir(codeRoot, { recursive: true });
    await rename(staging, dir);
    pinCodeFolder(dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (existsSync(dir)) return { dir, sha256, size: zip.length };
    throw error;
  }
  return { dir, sha256, size: zip.length };
}
