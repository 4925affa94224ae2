import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildZip, file, link } from "../../../test/fixtures/zip-builder.js";
import { AwsError } from "../../protocol/index.js";
import { storeCode } from "./function-code.js";

const bases: string[] = [];
afterAll(() => {
  for (const base of bases) rmSync(base, { recursive: true, force: true });
});
const codeRoot = () => {
  const base = mkdtempSync(join(tmpdir(), "jeff-code-"));
  bases.push(base);
  return join(base, "code");
};

describe("storing code", () => {
  it("unpacks a package once per hash, also when two requests store it at the same time", async () => {
    const root = codeRoot();
    const zip = buildZip([
      file("index.mjs", "export const handler = () => 1;\n"),
      link("main.mjs", "index.mjs"),
    ]);
    const [first, second] = await Promise.all([storeCode(root, zip), storeCode(root, zip)]);
    expect(second).toEqual(first);
    expect(readdirSync(root)).toEqual([first.dir.slice(root.length + 1)]);
    expect(await readFile(join(first.dir, "main.mjs"), "utf8")).toContain("handler");
  });

  it("refuses a hostile package as Lambda does, leaving nothing in the code folder", async () => {
    const root = codeRoot();
    const cases: Array<[Buffer, string]> = [
      [
        buildZip([link("a/w1", ".."), link("b", "a/w1/..")]),
        "The deployment package holds a symbolic link that points outside it: b -> a/w1/..",
      ],
      [
        buildZip([link("a", "."), file("a/x", "x")]),
        "The deployment package holds a path under a symbolic link: a/x",
      ],
      [
        buildZip([{ name: "big", data: "x", size: 300 * 1024 * 1024 }]),
        "Unzipped size must be smaller than 262144000 bytes",
      ],
      [
        Buffer.from("not a zip"),
        "Could not unzip uploaded file. the archive has no end-of-central-directory record",
      ],
    ];
    for (const [zip, message] of cases) {
      const error = await storeCode(root, zip).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, message).toBeInstanceOf(AwsError);
      expect(error).toMatchObject({ code: "InvalidParameterValueException", message });
    }
    expect(readdirSync(root)).toEqual([]);
  });
});
