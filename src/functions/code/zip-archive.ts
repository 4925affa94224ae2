/**
 * Reading a function's deployment package: the central directory of a zip (names, Unix modes,
 * methods, sizes, CRCs) and where each entry's compressed bytes lie. Nothing here inflates
 * anything, so nothing here can be made to use more memory than the archive itself; what the
 * headers declare is only a claim, which the unpacking checks against the bytes it inflates.
 */

export interface ZipEntry {
  readonly name: string;
  /** Unix mode from the central directory's external attributes, or 0 when the archiver set none. */
  readonly mode: number;
  /** 0 stored, 8 deflated; the unpacking refuses any other. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  /** The uncompressed size the central directory declares: a claim, not a fact. */
  readonly size: number;
  readonly localHeaderOffset: number;
}

export class ZipError extends Error {
  override readonly name = "ZipError";
}

const signatures = {
  endOfCentralDirectory: 0x06054b50,
  zip64EndLocator: 0x07064b50,
  zip64End: 0x06064b50,
  centralFileHeader: 0x02014b50,
  localFileHeader: 0x04034b50,
} as const;
const zip64ExtraId = 0x0001;
const saturated32 = 0xffffffff;
const saturated16 = 0xffff;
/** Bit 0 of the general-purpose flags: the entry is encrypted. */
export const encryptedFlag = 0x1;

const viewOf = (zip: Uint8Array) => new DataView(zip.buffer, zip.byteOffset, zip.byteLength);

function uint64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError("the archive declares an impossible size");
  return Number(value);
}

/** Where the central directory starts and how many entries it holds, ZIP64 or not. */
function centralDirectoryOf(zip: Uint8Array): { offset: number; count: number } {
  const view = viewOf(zip);
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === signatures.endOfCentralDirectory) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipError("the archive has no end-of-central-directory record");
  const count = view.getUint16(end + 10, true);
  const offset = view.getUint32(end + 16, true);
  if (count !== saturated16 && offset !== saturated32) return { offset, count };
  const locator = end - 20;
  if (locator < 0 || view.getUint32(locator, true) !== signatures.zip64EndLocator) return { offset, count };
  const zip64End = uint64(view, locator + 8);
  if (zip64End + 56 > zip.length || view.getUint32(zip64End, true) !== signatures.zip64End) {
    throw new ZipError("the archive's ZIP64 end record is damaged");
  }
  return { offset: uint64(view, zip64End + 48), count: uint64(view, zip64End + 32) };
}

/** The sizes and offset a ZIP64 extra field gives for the 32-bit fields that are saturated. */
function zip64Values(
  view: DataView,
  extraStart: number,
  extraEnd: number,
  wanted: { size: boolean; compressedSize: boolean; offset: boolean },
) {
  for (let at = extraStart; at + 4 <= extraEnd; ) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === zip64ExtraId) {
      let field = at + 4;
      const next = () => {
        if (field + 8 > at + 4 + length) throw new ZipError("the archive's ZIP64 extra field is damaged");
        const value = uint64(view, field);
        field += 8;
        return value;
      };
      const size = wanted.size ? next() : undefined;
      const compressedSize = wanted.compressedSize ? next() : undefined;
      const offset = wanted.offset ? next() : undefined;
      return { size, compressedSize, offset };
    }
    at += 4 + length;
  }
  throw new ZipError("the archive's ZIP64 extra field is missing");
}

/** Every entry of the central directory, in its order, or a ZipError saying what is wrong. */
export function readCentralDirectory(zip: Uint8Array): ZipEntry[] {
  if (zip.length < 22) throw new ZipError("the archive has no end-of-central-directory record");
  const view = viewOf(zip);
  const { offset: start, count } = centralDirectoryOf(zip);
  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  let offset = start;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > zip.length || view.getUint32(offset, true) !== signatures.centralFileHeader) {
      throw new ZipError("the archive's central directory is damaged");
    }
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const nameStart = offset + 46;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > zip.length) throw new ZipError("the archive's central directory is damaged");
    let compressedSize = view.getUint32(offset + 20, true);
    let size = view.getUint32(offset + 24, true);
    let localHeaderOffset = view.getUint32(offset + 42, true);
    const wanted = {
      size: size === saturated32,
      compressedSize: compressedSize === saturated32,
      offset: localHeaderOffset === saturated32,
    };
    if (wanted.size || wanted.compressedSize || wanted.offset) {
      const values = zip64Values(view, extraStart, extraStart + extraLength, wanted);
      size = values.size ?? size;
      compressedSize = values.compressedSize ?? compressedSize;
      localHeaderOffset = values.offset ?? localHeaderOffset;
    }
    entries.push({
      name: decoder.decode(zip.subarray(nameStart, extraStart)),
      mode: view.getUint32(offset + 38, true) >>> 16,
      method: view.getUint16(offset + 10, true),
      flags: view.getUint16(offset + 8, true),
      crc32: view.getUint32(offset + 16, true),
      compressedSize,
      size,
      localHeaderOffset,
    });
    offset = next;
  }
  return entries;
}

/** The entry's compressed bytes as they lie in the archive (a view, not a copy). */
export function compressedBytesOf(zip: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = viewOf(zip);
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || view.getUint32(at, true) !== signatures.localFileHeader) {
    throw new ZipError(`the archive's local header of ${entry.name} is damaged`);
  }
  const dataStart = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > zip.length) throw new ZipError(`the archive ends inside ${entry.name}`);
  return zip.subarray(dataStart, dataEnd);
}
