import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkDataDirModes, DataDirModeError } from "./data-dir-modes.js";

const root = mkdtempSync(join(tmpdir(), "jeff-modes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A data directory with the given mode holding the given store files and their modes. */
function dataDir(mode: number, files: Record<string, number> = {}, name = `data-${++dirs}`): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, fileMode] of Object.entries(files)) {
    writeFileSync(join(dir, file), "");
    chmodSync(join(dir, file), fileMode);
  }
  chmodSync(dir, mode);
  return dir;
}

async function refusal(dir: string): Promise<DataDirModeError> {
  const error = await checkDataDirModes(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataDirModeError);
  return error as DataDirModeError;
}

describe("checkDataDirModes", () => {
  it("accepts a directory that does not exist yet, and a private one with private store files", async () => {
    await checkDataDirModes(join(root, "not-yet"));
    await checkDataDirModes(dataDir(0o700, { "jeff.db": 0o600, "jeff.db-wal": 0o600, "jeff.db-shm": 0o600 }));
    // Only the store's files are checked; the owner may share the rest as they like.
    await checkDataDirModes(dataDir(0o700, { "jeff.db": 0o400, "notes.txt": 0o644 }));
  });

  it.each([0o755, 0o750, 0o701, 0o770])(
    "refuses a directory of mode %s, with the chmod that fixes it",
    async (mode) => {
      const dir = dataDir(mode, { "jeff.db": 0o600 });
      const error = await refusal(dir);
      expect(error.message).toContain(`${dir} is mode 0${mode.toString(8)}`);
      expect(error.message).toMatch(new RegExp(`Fix it with: chmod 700 ${dir}$`));
    },
  );

  it("refuses a store an older Jeff made 0644, naming every open file in one chmod", async () => {
    const dir = dataDir(0o700, { "jeff.db": 0o644, "jeff.db-wal": 0o644, "jeff.db-shm": 0o600 });
    const error = await refusal(dir);
    expect(error.message).toContain(`${join(dir, "jeff.db")} is mode 0644`);
    expect(error.message).toMatch(
      new RegExp(`Fix it with: chmod 600 ${join(dir, "jeff.db")} ${join(dir, "jeff.db-wal")}$`),
    );
    expect(error.message).not.toContain("chmod 700");
    expect(error.message).not.toContain("\n");
  });

  it("gives both commands when both are needed, quoting a path the shell would split", async () => {
    const dir = dataDir(0o755, { "jeff.db": 0o604 }, "with space's");
    const error = await refusal(dir);
    const quoted = `'${dir.replaceAll("'", `'\\''`)}'`;
    expect(error.message).toContain(
      `Fix it with: chmod 700 ${quoted} && chmod 600 '${join(dir, "jeff.db").replaceAll("'", `'\\''`)}'`,
    );
  });
});
