import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPackage, savePackage } from "./package-store.js";

const packagesDir = () => join(mkdtempSync(join(tmpdir(), "jeff-packages-")), "packages");

describe("packages", () => {
  it("reads back what was saved, under the name of its hash", async () => {
    const dir = packagesDir();
    const zip = Buffer.from("PK pretend zip");
    const path = await savePackage(dir, zip);
    expect(path).toMatch(/\/packages\/[0-9a-f]{64}\.zip$/);
    expect(await savePackage(dir, zip)).toBe(path);
    expect((await readPackage(dir, path, "CodeUri")).equals(zip)).toBe(true);
  });

  it("refuses anything but a package of its own folder, naming the field", async () => {
    const dir = packagesDir();
    const path = await savePackage(dir, Buffer.from("real"));
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
    // Saving the same bytes again repairs a damaged package.
    expect((await readPackage(dir, await savePackage(dir, Buffer.from("real")), "CodeUri")).toString()).toBe(
      "real",
    );
  });
});
