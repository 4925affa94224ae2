import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readFile, readlink, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildZip,
  deflatedZeros,
  file,
  folder,
  link,
  type TestZipEntry,
} from "../../../test/fixtures/zip-builder.js";
import { codeLimits } from "./function-code.js";
import { PackageRefusal } from "./package-layout.js";
import { unpackZip } from "./unpack-zip.js";
import { ZipError } from "./zip-archive.js";

const mebibyte = 1024 * 1024;

/** A root six folders down a fresh temporary folder, so a six-link chain has somewhere to reach. */
const bases: string[] = [];
afterAll(() => {
  for (const base of bases) rmSync(base, { recursive: true, force: true });
});

function deepRoot() {
  const base = mkdtempSync(join(tmpdir(), "jeff-unpack-"));
  bases.push(base);
  const parent = join(base, "d1/d2/d3/d4/d5/d6");
  mkdirSync(parent, { recursive: true });
  return { base, root: join(parent, "code") };
}

/** Every path under `dir` with what it is (links not followed): the proof of what was written. */
function tree(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix))
    .flatMap((name) => {
      const path = prefix ? `${prefix}/${name}` : name;
      const info = lstatSync(join(dir, path));
      if (info.isDirectory()) return [`${path} dir`, ...tree(dir, path)];
      return [`${path} ${info.isSymbolicLink() ? "link" : "file"}`];
    })
    .sort();
}

async function refusal(entries: readonly TestZipEntry[] | Buffer, limits = codeLimits) {
  const { base, root } = deepRoot();
  const before = tree(base);
  const zip = Buffer.isBuffer(entries) ? entries : buildZip(entries);
  const error = await unpackZip(zip, root, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected the package to be refused").toBeInstanceOf(Error);
  // Nothing written anywhere, not even the root: no file, no folder, no stray link.
  expect(tree(base)).toEqual(before);
  return error as Error;
}

/** `a/w1 -> ..`, `a/w1/w2 -> ..`, … six deep, then a file under the last: far outside as written. */
const chainedEscape = [
  ...Array.from({ length: 6 }, (_, i) =>
    link(`a/${Array.from({ length: i + 1 }, (_, j) => `w${j + 1}`).join("/")}`, ".."),
  ),
  file("a/w1/w2/w3/w4/w5/w6/pwned.txt", "owned"),
];

describe("unpacking a package", () => {
  it("writes folders, files with their executable bit, and links that stay inside and work", async () => {
    const { root } = deepRoot();
    await unpackZip(
      buildZip([
        folder("empty/"),
        file("src/lib/util.js", "export const x = 1;\n"),
        file("bootstrap", "#!/bin/sh\n", 0o100755),
        { name: "stored.txt", data: "kept as is", method: 0 },
        link("lib", "src/lib"),
        link("bin/util.js", "../lib/util.js"),
        file("empty.txt", ""),
      ]),
      root,
      codeLimits,
    );
    expect(tree(root)).toEqual([
      "bin dir",
      "bin/util.js link",
      "bootstrap file",
      "empty dir",
      "empty.txt file",
      "lib link",
      "src dir",
      "src/lib dir",
      "src/lib/util.js file",
      "stored.txt file",
    ]);
    expect(await readFile(join(root, "bin/util.js"), "utf8")).toBe("export const x = 1;\n");
    expect(await readlink(join(root, "bin/util.js"))).toBe("../lib/util.js");
    expect(await readFile(join(root, "stored.txt"), "utf8")).toBe("kept as is");
    expect((await stat(join(root, "bootstrap"))).mode & 0o777).toBe(0o755);
    expect((await stat(join(root, "src/lib/util.js"))).mode & 0o111).toBe(0);
  });

  it("refuses the chained-link escape, writing nothing inside or outside its root", async () => {
    const error = await refusal(chainedEscape);
    expect(error).toBeInstanceOf(PackageRefusal);
    expect(error.message).toBe("The deployment package holds a path under a symbolic link: a/w1/w2");
    // Without the file, the chain itself is links under links.
    expect((await refusal(chainedEscape.slice(0, 6))).message).toContain("under a symbolic link");
  });

  it("refuses a link that is inside as text but outside once resolved", async () => {
    const error = await refusal([link("a/w1", ".."), link("b", "a/w1/..")]);
    expect(error.message).toBe(
      "The deployment package holds a symbolic link that points outside it: b -> a/w1/..",
    );
  });

  it("refuses an entry under a link, wherever the two are listed", async () => {
    expect((await refusal([link("lib", "src"), file("lib/x.js", "x")])).message).toBe(
      "The deployment package holds a path under a symbolic link: lib/x.js",
    );
    expect((await refusal([file("lib/x.js", "x"), link("lib", "src")])).message).toBe(
      "The deployment package holds a path under a symbolic link: lib/x.js",
    );
  });

  it("refuses duplicates, escapes and archives it cannot read faithfully", async () => {
    expect((await refusal([file("a.js", "1"), file("a.js", "2")])).message).toContain("the same path twice");
    expect((await refusal([file("../x.js", "1")])).message).toContain("a path outside its root");
    expect((await refusal([file("a\0b", "1")])).message).toContain("NUL");
    expect((await refusal([link("etc", "/etc/passwd")])).message).toContain("points outside it");
    const damaged: Array<[TestZipEntry, RegExp]> = [
      [{ name: "bz.js", data: "x", method: 12 }, /method 12/],
      [{ name: "bad-crc.js", data: "hello", crc32: 1 }, /fails its CRC-32 check/],
      [{ name: "short.js", data: "hello", size: 10 }, /fewer bytes than it declares/],
      [{ name: "long.js", data: "hello", size: 2 }, /more than the 2 bytes it declares/],
      [
        { name: "garbage.js", compressed: Buffer.from("not deflate"), size: 5, crc32: 0 },
        /garbage.js is damaged/,
      ],
    ];
    for (const [entry, message] of damaged) {
      const error = await refusal([entry]);
      expect(error, entry.name).toBeInstanceOf(ZipError);
      expect(error.message, entry.name).toMatch(message);
    }
    expect(await refusal(Buffer.from("not a zip"))).toBeInstanceOf(ZipError);
  });

  it("refuses a zip bomb by its declared size before inflating any of it", async () => {
    const bomb = await deflatedZeros(300 * mebibyte);
    const error = await refusal([{ name: "zeros", ...bomb, size: 300 * mebibyte }]);
    expect(error).toBeInstanceOf(PackageRefusal);
    expect(error.message).toBe("Unzipped size must be smaller than 262144000 bytes");
  });

  it("refuses a zip bomb that lies about its size while inflating, in bounded memory, yielding to the event loop", async () => {
    const bomb = await deflatedZeros(300 * mebibyte);
    // The lie stays under the limit, so only the bytes coming out can give the bomb away.
    const declared = 16 * mebibyte;
    const zip = buildZip([file("a.txt", "a"), { name: "zeros", ...bomb, size: declared }]);
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 5);
    try {
      const error = await refusal(zip);
      expect(error).toBeInstanceOf(ZipError);
      expect(error.message).toBe(`zeros inflates to more than the ${declared} bytes it declares`);
    } finally {
      ticking = false;
      clearInterval(sampler);
    }
    expect(turns).toBeGreaterThan(1);
    expect(rssPeak - rssBefore).toBeLessThan(100 * mebibyte);
  });

  it("creates its root afresh: an existing folder is never written into", async () => {
    const { root } = deepRoot();
    mkdirSync(root);
    await expect(unpackZip(buildZip([file("a.js", "1")]), root, codeLimits)).rejects.toMatchObject({
      code: "EEXIST",
    });
    expect(readdirSync(root)).toEqual([]);
  });
});
