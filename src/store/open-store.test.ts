import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, resolveDataDir } from "./open-store.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-open-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openStore", () => {
  it("creates the data directory, readable by its owner only, with jeff.db inside", async () => {
    const dataDir = join(dir, "nested", "data");
    const store = await openStore({ dataDir, migrations: [] });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, "jeff.db")).isFile()).toBe(true);
      expect(store.dialect).toBe("sqlite");
    } finally {
      await store.close();
    }
  });

  it("creates jeff.db and its -wal and -shm files readable by their owner only, whatever the umask", async () => {
    const dataDir = join(dir, "private");
    const umask = process.umask(0);
    try {
      const store = await openStore({
        dataDir,
        migrations: [{ id: 1, name: "t", up: "CREATE TABLE t (id BIGINT)" }],
      });
      try {
        await store.run("INSERT INTO t (id) VALUES (1)");
        for (const name of ["jeff.db", "jeff.db-wal", "jeff.db-shm"]) {
          expect(statSync(join(dataDir, name)).mode & 0o777, name).toBe(0o600);
        }
        expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      } finally {
        await store.close();
      }
    } finally {
      process.umask(umask);
    }
  });

  it("leaves the modes of an existing data directory and store file to their owner", async () => {
    const dataDir = join(dir, "owned");
    mkdirSync(dataDir, { mode: 0o750 });
    chmodSync(dataDir, 0o750);
    await (await openStore({ dataDir, migrations: [] })).close();
    chmodSync(join(dataDir, "jeff.db"), 0o640);
    await (await openStore({ dataDir, migrations: [] })).close();
    expect(statSync(dataDir).mode & 0o777).toBe(0o750);
    expect(statSync(join(dataDir, "jeff.db")).mode & 0o777).toBe(0o640);
  });

  it("opens an existing data directory again with its data", async () => {
    const dataDir = join(dir, "again");
    const migrations = [{ id: 1, name: "t", up: "CREATE TABLE t (id BIGINT PRIMARY KEY)" }];
    const first = await openStore({ dataDir, migrations });
    await first.run("INSERT INTO t (id) VALUES (7)");
    await first.close();
    const second = await openStore({ dataDir, migrations, synchronous: "normal" });
    try {
      expect(await second.all("SELECT id FROM t")).toEqual([{ id: 7 }]);
    } finally {
      await second.close();
    }
  });
});

describe("resolveDataDir", () => {
  const projectDir = "/srv/project";

  it("prefers the --data-dir flag", () => {
    expect(resolveDataDir({ flag: "/var/jeff", env: { JEFF_DATA_DIR: "/env/jeff" }, projectDir })).toBe(
      "/var/jeff",
    );
  });

  it("falls back to JEFF_DATA_DIR", () => {
    expect(resolveDataDir({ env: { JEFF_DATA_DIR: "/env/jeff" }, projectDir })).toBe("/env/jeff");
  });

  it("falls back to .jeff inside the project", () => {
    expect(resolveDataDir({ env: {}, projectDir })).toBe("/srv/project/.jeff");
  });

  it("treats empty values as unset and resolves relative ones against the working directory", () => {
    expect(resolveDataDir({ flag: "", env: { JEFF_DATA_DIR: "" }, projectDir })).toBe("/srv/project/.jeff");
    expect(resolveDataDir({ flag: "rel/data", env: {}, projectDir })).toBe(resolve("rel/data"));
  });
});
