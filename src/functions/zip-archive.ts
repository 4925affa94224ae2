/**
 * Reading a function's deployment package: the entries of a zip with their Unix modes (which
 * fflate does not report), so symlinks and executables survive and escapes are refused.
 */
import { unzipSync } from "fflate";

export interface ZipEntry {
  readonly name: string;
  /** Unix mode from the central directory's external attributes, or 0 when the archiver set none. */
  readonly mode: number;
  readonly data: Uint8Array;
}

export class ZipError extends Error {
  override readonly name = "ZipError";
}

const endOfCentralDirectory = 0x06054b50;
const centralFileHeader = 0x02014b50;

/** Unix modes by entry name, read from the central directory. */
function modesOf(zip: Uint8Array): Map<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === endOfCentralDirectory) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipError("the archive has no end-of-central-directory record");
  const count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const modes = new Map<string, number>();
  const decoder = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || view.getUint32(offset, true) !== centralFileHeader) {
      throw new ZipError("the archive's central directory is damaged");
    }
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const external = view.getUint32(offset + 38, true);
    const name = decoder.decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    modes.set(name, external >>> 16);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return modes;
}

/** Every file entry (directories left out), or a ZipError saying what is wrong with the archive. */
export function readZip(zip: Uint8Array): ZipEntry[] {
  let files: Record<string, Uint8Array>;
  let modes: Map<string, number>;
  try {
    modes = modesOf(zip);
    files = unzipSync(zip);
  } catch (error) {
    if (error instanceof ZipError) throw error;
    throw new ZipError(
      `the archive could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return Object.entries(files)
    .filter(([name]) => !name.endsWith("/"))
    .map(([name, data]) => ({ name, mode: modes.get(name) ?? 0, data }));
}
