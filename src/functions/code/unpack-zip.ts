/**
 * Unpacking a deployment package into a fresh folder, safely against hostile archives:
 *
 * - Everything is checked before anything is written (package-layout.ts): paths, duplicates, and
 *   where every symbolic link resolves through the package's own links.
 * - No link is followed while writing: folders first, then files opened with
 *   `O_CREAT|O_EXCL|O_NOFOLLOW`, all in a folder this call creates, and the links last, so no
 *   path written to passes through anything but a folder made here.
 * - Entries are inflated as streams on libuv's threadpool (zlib's async API), a slice at a time,
 *   counting the bytes that come out: an entry may not yield more than its header declares, and
 *   the declared sizes together may not pass the limit. A zip bomb is refused having held a few
 *   slices in memory, without blocking the event loop.
 */
import { constants } from "node:fs";
import { type FileHandle, mkdir, open, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { pipeline, Readable } from "node:stream";
import { crc32, createInflateRaw, inflateRawSync } from "node:zlib";
import { kindOf, layOutPackage, maxLinkTargetBytes, PackageRefusal } from "./package-layout.js";
import {
  compressedBytesOf,
  encryptedFlag,
  readCentralDirectory,
  type ZipEntry,
  ZipError,
} from "./zip-archive.js";

export interface UnpackLimits {
  /** Lambda's limit on a package's unzipped size. */
  readonly unzippedBytes: number;
}

const stored = 0;
const deflated = 8;
/** How much compressed input, or inflated output, is in hand at a time. */
const sliceBytes = 64 * 1024;
const createFileFlags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function* slicesOf(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += sliceBytes) yield bytes.subarray(at, at + sliceBytes);
}

/** The entry's bytes as they come out of the archive: slices of it, or of its inflation. */
function contentOf(zip: Uint8Array, entry: ZipEntry): Iterable<Uint8Array> | AsyncIterable<Uint8Array> {
  const data = compressedBytesOf(zip, entry);
  if (entry.method === stored || data.length === 0) return slicesOf(data);
  // An aborted iteration destroys the inflater, and pipeline the source with it.
  return pipeline(Readable.from(slicesOf(data)), createInflateRaw({ chunkSize: sliceBytes }), () => {});
}

/** A symbolic link's target: at most a path's length, so read at once. */
function linkTargetOf(zip: Uint8Array, entry: ZipEntry): string {
  if (entry.size > maxLinkTargetBytes) {
    throw new PackageRefusal(
      `The deployment package holds a symbolic link whose target is longer than ${maxLinkTargetBytes} bytes: ${entry.name}`,
    );
  }
  const data = compressedBytesOf(zip, entry);
  let target: Uint8Array = data;
  if (entry.method === deflated && data.length > 0) {
    // Deflate never needs much more room than the text it holds; more is not a link's target.
    if (data.length > 2 * maxLinkTargetBytes) throw new ZipError(`${entry.name} is damaged`);
    try {
      target = inflateRawSync(data, { maxOutputLength: maxLinkTargetBytes + 1 });
    } catch {
      throw new ZipError(`${entry.name} is damaged`);
    }
  }
  if (target.length !== entry.size) throw new ZipError(`${entry.name} does not hold the size it declares`);
  if (crc32(target) !== entry.crc32) throw new ZipError(`${entry.name} fails its CRC-32 check`);
  return new TextDecoder().decode(target);
}

async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let done = 0; done < chunk.length; ) {
    done += (await file.write(chunk, done, chunk.length - done)).bytesWritten;
  }
}

/** Writes a regular file's entry at `path`, which must not exist yet, counting what comes out. */
async function writeFileEntry(zip: Uint8Array, entry: ZipEntry, path: string): Promise<void> {
  // Keep the executable bit (a `bootstrap` must run), never more than the owner's rights.
  const mode = entry.mode & 0o111 ? 0o755 : 0o644;
  const file = await open(path, createFileFlags, mode);
  try {
    if (mode === 0o755) await file.chmod(mode);
    let written = 0;
    let crc = 0;
    try {
      for await (const chunk of contentOf(zip, entry)) {
        written += chunk.length;
        if (written > entry.size) {
          throw new ZipError(`${entry.name} inflates to more than the ${entry.size} bytes it declares`);
        }
        crc = crc32(chunk, crc);
        await writeAll(file, chunk);
      }
    } catch (error) {
      // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR…) say the entry's bytes are not deflate.
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === "string" && code.startsWith("Z_")) {
        throw new ZipError(`${entry.name} is damaged: ${(error as Error).message}`);
      }
      throw error;
    }
    if (written !== entry.size) throw new ZipError(`${entry.name} holds fewer bytes than it declares`);
    if (crc !== entry.crc32) throw new ZipError(`${entry.name} fails its CRC-32 check`);
  } finally {
    await file.close();
  }
}

/** The entries, or a refusal of anything this unpacking would not read faithfully. */
function entriesOf(zip: Uint8Array, limits: UnpackLimits): ZipEntry[] {
  const entries = readCentralDirectory(zip);
  let declared = 0;
  for (const entry of entries) {
    if (entry.flags & encryptedFlag) throw new ZipError(`${entry.name} is encrypted`);
    if (kindOf(entry) === "directory") continue;
    if (entry.method !== stored && entry.method !== deflated) {
      throw new ZipError(
        `${entry.name} is compressed with method ${entry.method}; only stored and deflated are read`,
      );
    }
    // Each entry is held to its declared size while it inflates, so these bound what is written.
    declared += entry.size;
  }
  if (declared > limits.unzippedBytes) {
    throw new PackageRefusal(`Unzipped size must be smaller than ${limits.unzippedBytes} bytes`);
  }
  return entries;
}

/**
 * Unpacks `zip` into `root`, which this creates (its parent must exist, it must not). Throws a
 * ZipError for an archive that cannot be read and a PackageRefusal for one that may not be
 * unpacked; on any failure `root` is removed.
 */
export async function unpackZip(zip: Uint8Array, root: string, limits: UnpackLimits): Promise<void> {
  const layout = layOutPackage(entriesOf(zip, limits), (entry) => linkTargetOf(zip, entry));
  await mkdir(root);
  let current = "";
  try {
    for (const path of layout.directories) {
      current = path;
      await mkdir(join(root, path));
    }
    for (const { path, entry } of layout.files) {
      current = entry.name;
      await writeFileEntry(zip, entry, join(root, path));
    }
    for (const { path, entry, target } of layout.links) {
      current = entry.name;
      await symlink(target, join(root, path));
    }
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === "ENAMETOOLONG") {
      throw new PackageRefusal(`The deployment package holds a path too long to unpack here: ${current}`);
    }
    throw error;
  }
}
