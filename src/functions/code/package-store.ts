/**
 * Deployment packages that earlier CLIs handed to Jeff on disk, `<data-dir>/packages/<sha256>.zip`,
 * read for the stacks whose templates still name them (today's CLI uploads packages instead:
 * `package-upload.ts`). A package is named by the hash of its bytes, so the server reads nothing
 * but a package: not a folder, not a link, not a file elsewhere on the host, and not one whose
 * bytes do not match its name.
 */
import { createHash } from "node:crypto";
import { lstat, readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { lambdaErrors } from "../lambda-errors.js";
import { codeLimits } from "./function-code.js";

/** Where a data directory keeps its packages. */
export function packagesDirIn(dataDir: string): string {
  return join(dataDir, "packages");
}

const packageName = /^([0-9a-f]{64})\.zip$/;

const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The bytes of the package at `path`, refused (naming `field`) unless it is one of `packagesDir`'s. */
export async function readPackage(packagesDir: string, path: string, field: string): Promise<Buffer> {
  const name = packageName.exec(basename(path));
  if (!name || resolve(dirname(path)) !== resolve(packagesDir)) {
    throw lambdaErrors.invalidParameter(
      `${field} ${path} is not a package: deploy with \`jeff deploy\` or \`jeff dev\`, which package a project's code and send it to Jeff`,
    );
  }
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile()) throw lambdaErrors.invalidParameter(`${field} ${path} does not exist`);
  if (info.size > codeLimits.zippedBytes) {
    throw lambdaErrors.zippedTooLarge(codeLimits.zippedBytes);
  }
  const zip = await readFile(path);
  if (sha256Hex(zip) !== name[1])
    throw lambdaErrors.invalidParameter(
      `${field} ${path} is damaged (its bytes do not match its name): deploy again`,
    );
  return zip;
}
