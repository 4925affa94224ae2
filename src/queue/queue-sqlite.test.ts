import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openStore } from "../store/index.js";
import { describeQueueSuite } from "./queue-suite.case.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-queue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A real database file per test, with the pragmas Jeff runs with.
describeQueueSuite("sqlite", (place, migrations) =>
  openStore({ dataDir: join(dir, place), migrations, guardNesting: true }),
);
