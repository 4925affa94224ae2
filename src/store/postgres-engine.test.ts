import { describe, expect, it } from "vitest";
import { freshSchemaUrl, testPostgresUrl } from "../../test/postgres.js";
import { numbered, openPostgresStore } from "./postgres-engine.js";
import { describeStoreSuite } from "./store.case.js";
import type { Migration } from "./store.js";
import { StoreQueryError } from "./store-errors.js";

const base = testPostgresUrl();
const urls = new Map<string, Promise<string>>();

// A schema per storage place: the same place gives the same data back after close.
const openAt = (place: string, migrations: readonly Migration[]) => {
  let url = urls.get(place);
  if (url === undefined) {
    url = freshSchemaUrl(base!, place);
    urls.set(place, url);
  }
  return url.then((at) => openPostgresStore({ url: at, migrations, guardNesting: true, poolSize: 4 }));
};

describe.skipIf(base === undefined)("postgres", () => {
  describeStoreSuite("postgres", openAt);

  describe("postgres engine", () => {
    it("numbers placeholders outside strings, quoted names, dollar quotes and comments", () => {
      expect(numbered("SELECT ? , '?', \"a?\" , $$?$$, $x$ ? $x$ -- ?\n, /* ? */ ?")).toBe(
        "SELECT $1 , '?', \"a?\" , $$?$$, $x$ ? $x$ -- ?\n, /* ? */ $2",
      );
      expect(numbered("SELECT 'it''s ?', ?")).toBe("SELECT 'it''s ?', $1");
    });

    it("retries the loser of a deadlock, so both transactions commit", async () => {
      const store = await openAt("deadlock", [
        {
          id: 1,
          name: "two rows",
          up: "CREATE TABLE pair (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO pair VALUES (1, 0), (2, 0)",
        },
      ]);
      try {
        let runs = 0;
        let holding = 0;
        let release!: () => void;
        const eachHoldsOne = new Promise<void>((resolve) => {
          release = resolve;
        });
        // Each locks one row, waits until the other holds the other row, then asks for it.
        const both = (first: number, second: number) =>
          store.transaction(
            async (tx) => {
              runs += 1;
              await tx.run("UPDATE pair SET n = n + 1 WHERE id = ?", [first]);
              holding += 1;
              if (holding === 2) release();
              await eachHoldsOne;
              await tx.run("UPDATE pair SET n = n + 1 WHERE id = ?", [second]);
            },
            { serializable: false },
          );
        await Promise.all([both(1, 2), both(2, 1)]);
        expect(await store.all("SELECT id, n FROM pair ORDER BY id")).toEqual([
          { id: 1, n: 2 },
          { id: 2, n: 2 },
        ]);
        // PostgreSQL ended one of them (40P01), and it ran again.
        expect(runs).toBeGreaterThanOrEqual(3);
      } finally {
        await store.close();
      }
    });

    it("names the database and the reason when it cannot open one, and hides the password", async () => {
      const wrong = new URL(base!);
      wrong.pathname = "/jeff_no_such_database";
      wrong.password = "secret-password";
      const refused = openPostgresStore({ url: wrong.toString(), migrations: [] });
      await expect(refused).rejects.toBeInstanceOf(StoreQueryError);
      await expect(refused).rejects.toThrow(/jeff_no_such_database.*does not exist/);
      await expect(refused).rejects.not.toThrow(/secret-password/);
      await expect(
        openPostgresStore({ url: "postgres://nobody@127.0.0.1:1/none", migrations: [] }),
      ).rejects.toThrow(/127\.0\.0\.1:1\/none: nothing accepts connections there/);
    });
  });
});
