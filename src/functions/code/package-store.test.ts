import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPackage } from "./package-store.js";

const packagesDir = () => join(mkdtempSync(join(tmpdir(), "jeff-packages-")), "packages");

/** A package as an earlier CLI wrote it: named by the hash of its bytes. */
function writePackage(dir: string, zip: Buffer): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash("sha256").update(zip).digest("hex")}.zip`);
  writeFileSync(path, zip);
  return path;
}

describe("packages on disk, from earlier CLIs", () => {
  it("reads back a package under the name of its hash", async () => {
    const dir = packagesDir();
    const zip = Buffer.from("PK pretend zip");
    const path = writePackage(dir, zip);
    expect((await readPackage(dir, path, "CodeUri")).equals(zip)).toBe(true);
  });

  it("refuses anything but a package of its own folder, naming the field", async () => {
    const dir = packagesDir();
    const path = writePackage(dir, Buffer.from("real"));
    const elsewhere = join(mkdtempSync(join(tmpdir(), "jeff-other-")), path.slice(path.lastIndexOf("/") + 1));
    writeFileSync(elsewhere, "real");
    await expect(readPackage(dir, elsewhere, "CodeUri")).rejects.toThrow(/CodeUri .* is not a package/);
    await expect(readPackage(dir, "/etc/passwd", "Code")).rejects.toThrow(
      /Code \/etc\/passwd is not a package/,
    );
    await expect(readPackage(dir, dir, "CodeUri")).rejects.toThrow(/is not a package/);
    // A link named like a package is not one; nor are bytes that do not match the name.
    const linked = join(dir, `${"0".repeat(64)}.zip`);
    symlinkSync("/etc/passwd", linked);
    await expect(readPackage(dir, linked, "CodeUri")).rejects.toThrow(/does not exist/);
    writeFileSync(path, "tampered");
    await expect(readPackage(dir, path, "CodeUri")).rejects.toThrow(/damaged/);
  });
});
