/**
 * A function's code on disk: a deployment package unpacked once into a folder named by its hash,
 * which environments then read. Nothing in a package may reach outside that folder; unpack-zip.ts
 * says how that holds against hostile archives.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import { lambdaErrors } from "../lambda-errors.js";
import { pinCodeFolder } from "./code-sweep.js";
import { PackageRefusal } from "./package-layout.js";
import { unpackZip } from "./unpack-zip.js";
import { ZipError } from "./zip-archive.js";

/** Lambda's limits for a package uploaded directly, and for its unpacked size. */
export const codeLimits = {
  zippedBytes: 50 * 1024 * 1024,
  unzippedBytes: 250 * 1024 * 1024,
  /**
   * The request that carries a package (CreateFunction, UpdateFunctionCode): room for a zip at the
   * limit in base64, and the rest of the request (recorded: test_oversized_request_create_lambda).
   */
  requestBytes: 70_167_211,
} as const;

export interface StoredCode {
  readonly dir: string;
  /** Base64 SHA-256 of the package, as Lambda reports CodeSha256. */
  readonly sha256: string;
  readonly size: number;
}

/** Checks and unpacks `zip` under `codeRoot/<hash>`; an existing folder for the same hash is reused. */
export async function storeCode(codeRoot: string, zip: Buffer): Promise<StoredCode> {
  if (zip.length > codeLimits.zippedBytes) {
    throw lambdaErrors.zippedTooLarge(codeLimits.zippedBytes);
  }
  const digest = createHash("sha256").update(zip).digest();
  const stored = {
    dir: join(codeRoot, digest.toString("hex")),
    sha256: digest.toString("base64"),
    size: zip.length,
  };
  const { dir } = stored;
  if (existsSync(dir)) {
    // Pinned in the same synchronous step as the check, so the sweep (code-sweep.ts) cannot take
    // it before the caller records it; touched for the next process's sweep.
    pinCodeFolder(dir);
    const now = new Date();
    await utimes(dir, now, now).catch(() => {});
    return stored;
  }

  // A name of its own, so two requests unpacking the same package never share a folder.
  const staging = `${dir}.partial-${process.pid}-${randomBytes(6).toString("hex")}`;
  await mkdir(codeRoot, { recursive: true });
  try {
    await unpackZip(zip, staging, codeLimits);
    await rename(staging, dir);
    pinCodeFolder(dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof ZipError)
      throw lambdaErrors.invalidParameter(`Could not unzip uploaded file. ${error.message}`);
    if (error instanceof PackageRefusal) throw lambdaErrors.invalidParameter(error.message);
    // The same package, unpacked meanwhile by another request: its folder won the rename.
    if (existsSync(dir)) return stored;
    throw error;
  }
  return stored;
}
