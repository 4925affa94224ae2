import { describe, expect, it } from "vitest";
import { buildZip, file, folder, link } from "../../../test/fixtures/zip-builder.js";
import { compressedBytesOf, readCentralDirectory, ZipError } from "./zip-archive.js";

const entries = [
  file("index.mjs", "export const handler = () => 1;", 0o100755),
  folder("lib/"),
  link("main.mjs", "index.mjs"),
];

describe("reading a zip's central directory", () => {
  it.each([
    ["classic", false],
    ["ZIP64", true],
  ])("gives names, modes, methods, sizes and where each entry's bytes lie (%s)", (_, zip64) => {
    const zip = buildZip(entries, { zip64 });
    const read = readCentralDirectory(zip);
    expect(read.map(({ name, mode, method, size }) => ({ name, mode, method, size }))).toEqual([
      { name: "index.mjs", mode: 0o100755, method: 8, size: 31 },
      { name: "lib/", mode: 0o040755, method: 0, size: 0 },
      { name: "main.mjs", mode: 0o120777, method: 0, size: 9 },
    ]);
    expect(Buffer.from(compressedBytesOf(zip, read[2]!)).toString()).toBe("index.mjs");
  });

  it("refuses what is not a zip, or a damaged one", () => {
    expect(() => readCentralDirectory(Buffer.from("not a zip at all, just some text"))).toThrow(ZipError);
    const zip = buildZip(entries);
    const cut = zip.subarray(zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 4);
    expect(() => readCentralDirectory(cut)).toThrow(/central directory is damaged/);
    const read = readCentralDirectory(zip);
    const wrongOffset = { ...read[0]!, localHeaderOffset: 7 };
    expect(() => compressedBytesOf(zip, wrongOffset)).toThrow(/local header of index.mjs is damaged/);
    expect(() => compressedBytesOf(zip, { ...read[0]!, compressedSize: zip.length })).toThrow(
      /the archive ends inside index.mjs/,
    );
  });
});
