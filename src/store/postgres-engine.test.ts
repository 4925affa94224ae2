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
