/**
 * Deployment packages handed to Jeff on disk: `<data-dir>/packages/<sha256>.zip`, written by the
 * CLI (`jeff deploy`, `jeff dev`) and read by the template resource types. A package is named by
 * the hash of its bytes, so the server reads nothing but a package: not a folder, not a link, not
 * a file elsewhere on the host, and not one whose bytes do not match its name.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, open, readFile, rename, utimes } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { lambdaErrors } from "../lambda-errors.js";
import { codeLimits } from "./function-code.js";

/** Where a data directory keeps its packages. */
export function packagesDirIn(dataDir: string): string {
  return join(dataDir, "packages");
}

const packageName = /^([0-9a-f]{64})\.zip$/;

const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Writes `zip` as a package (durably: the bytes reach the disk before the name appears); returns its path. */
export async function savePackage(packagesDir: string, zip: Buffer): Promise<string> {
  const hash = sha256Hex(zip);
  const path = join(packagesDir, `${hash}.zip`);
  const existing = await readFile(path).catch(() => undefined);
  if (existing && sha256Hex(existing) === hash) {
    // Reused: touched, so the server's sweep does not take it before the deploy that names it.
    // If it cannot be touched (or the sweep took it meanwhile), it is written afresh.
    const now = new Date();
    if (
      await utimes(path, now, now).then(
        () => existsSync(path),
        () => false,
      )
    )
      return path;
  }
  await mkdir(packagesDir, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  const file = await open(partial, "w");
  try {
    await file.writeFile(zip);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(partial, path);
  return path;
}

/** The bytes of the package at `path`, refused (naming `field`) unless it is one of `packagesDir`'s. */
export async function readPackage(packagesDir: string, path: string, field: string): Promise<Buffer> {
  const name = packageName.exec(basename(path));
  if (!name || resolve(dirname(path)) !== resolve(packagesDir)) {
    throw lambdaErrors.invalidParameter(
      `${field} ${path} is not a package: deploy with \`jeff deploy\` or \`jeff dev\`, which package a project's code into ${packagesDir}`,
    );
  }
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile()) throw lambdaErrors.invalidParameter(`${field} ${path} does not exist`);
  if (info.size > codeLimits.zippedBytes) {
    throw lambdaErrors.requestTooLarge(`Zipped size must be smaller than ${codeLimits.zippedBytes} bytes`);
  }
  const zip = await readFile(path);
  if (sha256Hex(zip) !== name[1])
    throw lambdaErrors.invalidParameter(
      `${field} ${path} is damaged (its bytes do not match its name): deploy again`,
    );
  return zip;
}
