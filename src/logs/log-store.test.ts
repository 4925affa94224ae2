import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openTestStore } from "../../test/stores.js";
import type { Statement, Store } from "../store/index.js";
import { matchesTerms, parseFilterPattern } from "./filter-pattern.js";
import { logMigrations } from "./log-schema.js";
import { appendLogEvents, flushLogEvents, queryLogEvents } from "./log-store.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-log-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const scope = { accountId: "000000000000", region: "us-east-1" };

describe("appendLogEvents (group commit)", () => {
  it("writes every batch of many concurrent appends, each whole, once its promise resolves", async () => {
    const store = await openTestStore({ dataDir: join(dir, "many"), migrations: logMigrations });
    try {
      const lines = (i: number) =>
        [0, 1, 2].map((n) => ({ timestamp: 1000 + n, message: `s${i} line ${n}` }));
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => appendLogEvents(store, scope, "/g", `s${i}`, lines(i))),
      );
      const events = await queryLogEvents(store, scope, { logGroup: "/g", limit: 1000 });
      expect(events).toHaveLength(150);
      for (let i = 0; i < 50; i++) {
        expect(events.filter((e) => e.logStream === `s${i}`).map((e) => e.message)).toEqual(
          lines(i).map((l) => l.message),
        );
      }
      // After the burst, a lone append still commits by itself.
      await appendLogEvents(store, scope, "/g", "late", [{ timestamp: 2000, message: "late" }]);
      expect(
        await queryLogEvents(store, scope, { logGroup: "/g", logStreams: ["late"], limit: 10 }),
      ).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it("lets a reader flush what was appended but not yet committed, and see all of it", async () => {
    const store = await openTestStore({ dataDir: join(dir, "flush"), migrations: logMigrations });
    try {
      // Nobody waits for these appends, as an invocation does not wait for its log lines.
      const pending = Array.from({ length: 20 }, (_, i) =>
        appendLogEvents(store, scope, "/g", "s", [{ timestamp: i, message: `line ${i}` }]),
      );
      await flushLogEvents(store);
      expect(await queryLogEvents(store, scope, { logGroup: "/g", limit: 100 })).toHaveLength(20);
      await Promise.all(pending);
    } finally {
      await store.close();
    }
  });

  it("fails only the batch that cannot be written when it shared a commit with others", async () => {
    const store = await openTestStore({ dataDir: join(dir, "bad"), migrations: logMigrations });
    try {
      const good = (s: string) => appendLogEvents(store, scope, "/g", s, [{ timestamp: 1, message: s }]);
      // A NULL message breaks the table's NOT NULL constraint.
      const bad = appendLogEvents(store, scope, "/g", "bad", [
        { timestamp: 1, message: null as unknown as string },
      ]);
      const results = await Promise.allSettled([good("a"), bad, good("b")]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      const events = await queryLogEvents(store, scope, { logGroup: "/g", limit: 10 });
      expect(events.map((e) => e.message).sort()).toEqual(["a", "b"]);
    } finally {
      await store.close();
    }
  });
  it("writes each batch once when a shared commit landed but its answer was lost", async () => {
    const store = await openTestStore({ dataDir: join(dir, "lost-ack"), migrations: logMigrations });
    try {
      // The connection closing between COMMIT and its answer: the rows are in, the writer hears an
      // error, and the batches are written again one by one.
      let lost = false;
      const lossy = {
        async writeBehind(statements: readonly Statement[]) {
          await store.writeBehind(statements);
          if (lost) return;
          lost = true;
          throw new Error("Connection terminated before COMMIT was answered");
        },
      } as unknown as Store;
      const append = (s: string) =>
        appendLogEvents(lossy, scope, "/g", s, [
          { timestamp: 1, message: `${s} 1` },
          { timestamp: 2, message: `${s} 2` },
        ]);
      await Promise.all([append("a"), append("b"), append("c")]);
      expect(lost).toBe(true);
      const events = await queryLogEvents(store, scope, { logGroup: "/g", limit: 100 });
      expect(events.map((e) => e.message).sort()).toEqual(["a 1", "a 2", "b 1", "b 2", "c 1", "c 2"]);
    } finally {
      await store.close();
    }
  });
});

describe("queryLogEvents with a filter pattern", () => {
  it("selects in SQL exactly the events the pattern's rule matches, case-sensitively", async () => {
    const store = await openTestStore({ dataDir: join(dir, "filter"), migrations: logMigrations });
    try {
      const messages = [
        "ERROR something failed",
        "WARN disk almost full",
        "ERROR Exception in handler",
        "error in lower case",
        "a 100% _literal_ line",
      ];
      await appendLogEvents(
        store,
        scope,
        "/f",
        "s",
        messages.map((message, i) => ({ timestamp: i, message })),
      );
      for (const pattern of [
        "ERROR",
        "?ERROR ?WARN",
        "ERROR -Exception",
        "-ERROR",
        '"100% _literal_"',
        "error",
      ]) {
        const terms = parseFilterPattern(pattern)!;
        const found = await queryLogEvents(store, scope, { logGroup: "/f", terms, limit: 100 });
        expect(
          found.map((e) => e.message),
          pattern,
        ).toEqual(messages.filter((m) => matchesTerms(m, terms)));
      }
      const either = parseFilterPattern("?ERROR ?WARN")!;
      expect(await queryLogEvents(store, scope, { logGroup: "/f", terms: either, limit: 100 })).toHaveLength(
        3,
      );
    } finally {
      await store.close();
    }
  });
});
