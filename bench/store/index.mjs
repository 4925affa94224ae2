// bench/store: what a durable step costs on each engine, through Jeff's store and through the bare
// driver beside it, in the same run:
//
//   get         a point read by primary key (`store.get`)
//   insert      one INSERT, committed on its own (`store.run`)
//   step        the typical write a call makes: a transaction reading a row, updating it and
//               inserting another (`store.transaction`); SERIALIZABLE on PostgreSQL, retried on a
//               conflict, as the store runs every transaction by default
//   step (RC)   the same under READ COMMITTED (`{ serializable: false }`), PostgreSQL only
//
// each with 1 and 8 callers back to back: operations/s, and each operation's latency (p50, p99).
// The peer is the bare driver doing the same statements — better-sqlite3 with the pragmas Jeff sets
// (WAL, synchronous=FULL), or a pg Pool of the same size with BEGIN/COMMIT and the same retry — so
// the ratio is what Jeff's store layer costs. Slices alternate (A B, B A, ...) on fresh tables.
//
// Usage: npm run bench -- store [--duration 2] [--rounds 3] [--callers 1,8]
//          [--store postgres://…] [--json FILE]
// Without --store only SQLite runs; with it, both (a schema of its own, dropped at the end).
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { fmt, machineCpu, percentile, postgresCpu, tableLines } from "../lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const { values: opts } = parseArgs({
  options: {
    duration: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    callers: { type: "string", default: "1,8" },
    store: { type: "string" },
    json: { type: "string" },
  },
});
const slice = Number(opts.duration);
const rounds = Math.max(1, Number(opts.rounds));
const callerCounts = opts.callers.split(",").map(Number);

const dist = join(root, "dist");
if (!existsSync(join(dist, "store", "index.js"))) {
  console.error("bench/store runs the built store: run `npm run build` first");
  process.exit(1);
}
const { openStore } = await import(pathToFileURL(join(dist, "store/index.js")).href);
const requireRoot = createRequire(join(root, "package.json"));
const { default: Database } = await import(pathToFileURL(requireRoot.resolve("better-sqlite3")).href);
const { default: pg } = await import(pathToFileURL(requireRoot.resolve("pg")).href);

const table = `CREATE TABLE bench_items (
  id TEXT PRIMARY KEY, account TEXT NOT NULL, body TEXT NOT NULL, n BIGINT NOT NULL, updated_at BIGINT NOT NULL)`;
const insertSql = "INSERT INTO bench_items (id, account, body, n, updated_at) VALUES (?, ?, ?, ?, ?)";
const getSql = "SELECT id, account, body, n, updated_at FROM bench_items WHERE id = ?";
const updateSql = "UPDATE bench_items SET n = n + 1, updated_at = ? WHERE id = ?";
const body = JSON.stringify({ name: "bench", settings: { memory: 128, timeout: 3 }, tags: { team: "ops" } });
const seedRows = 1000;
const dollars = (sql) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

const work = await mkdtemp(join(tmpdir(), "jeff-bench-store-"));
const schemas = [];
let places = 0;

/** Jeff's store on `engine`, with the bench table, seeded. */
async function jeffStore(engine) {
  const dataDir = join(work, `jeff-${++places}`);
  const migrations = [{ id: 1, name: "bench items", up: table }];
  let url;
  if (engine === "postgres") {
    const schema = `bench_store_${process.pid}_${places}`;
    await admin(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    const u = new URL(opts.store);
    u.searchParams.set("options", `-c search_path=${schema}`);
    url = u.toString();
  }
  const store = await openStore({ dataDir, migrations, ...(url ? { url } : {}) });
  await store.transaction(async (tx) => {
    for (let i = 0; i < seedRows; i++) await tx.run(insertSql, [`seed-${i}`, "acct", body, 0, Date.now()]);
  });
  return {
    get: (id) => store.get(getSql, [id]),
    insert: (id) => store.run(insertSql, [id, "acct", body, 0, Date.now()]),
    step: (id, seed, serializable = true) =>
      store.transaction(
        async (tx) => {
          const row = await tx.get(getSql, [seed]);
          if (!row) throw new Error("seed row missing");
          await tx.run(updateSql, [Date.now(), seed]);
          await tx.run(insertSql, [id, row.account, body, 0, Date.now()]);
        },
        serializable ? undefined : { serializable: false },
      ),
    close: () => store.close(),
  };
}

/** The bare driver on `engine`, with the same table and statements. */
async function bareStore(engine) {
  if (engine === "sqlite") {
    const db = new Database(join(work, `bare-${++places}.db`));
    db.pragma("busy_timeout = 5000");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(table);
    const insert = db.prepare(insertSql);
    const get = db.prepare(getSql);
    const update = db.prepare(updateSql);
    db.transaction(() => {
      for (let i = 0; i < seedRows; i++) insert.run(`seed-${i}`, "acct", body, 0, Date.now());
    })();
    const step = db.transaction((id, seed) => {
      const row = get.get(seed);
      update.run(Date.now(), seed);
      insert.run(id, row.account, body, 0, Date.now());
    });
    return {
      get: async (id) => get.get(id),
      insert: async (id) => insert.run(id, "acct", body, 0, Date.now()),
      // IMMEDIATE, as the store begins its write transactions.
      step: async (id, seed) => step.immediate(id, seed),
      close: async () => db.close(),
    };
  }
  const schema = `bench_bare_${process.pid}_${++places}`;
  await admin(`CREATE SCHEMA ${schema}`);
  schemas.push(schema);
  const u = new URL(opts.store);
  u.searchParams.set("options", `-c search_path=${schema}`);
  const pool = new pg.Pool({ connectionString: u.toString(), max: 10 });
  await pool.query(table);
  await pool.query(
    `INSERT INTO bench_items SELECT 'seed-' || i, 'acct', $1, 0, $2 FROM generate_series(0, ${seedRows - 1}) i`,
    [body, Date.now()],
  );
  const [insertPg, getPg, updatePg] = [insertSql, getSql, updateSql].map(dollars);
  const transaction = async (level, work) => {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${level}`);
        await work(client);
        await client.query("COMMIT");
        return;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        if (!["40001", "40P01"].includes(error.code) || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 50)));
      } finally {
        client.release();
      }
    }
  };
  return {
    get: async (id) => (await pool.query(getPg, [id])).rows[0],
    insert: (id) => pool.query(insertPg, [id, "acct", body, 0, Date.now()]),
    step: (id, seed, serializable = true) =>
      transaction(serializable ? "SERIALIZABLE" : "READ COMMITTED", async (client) => {
        const { rows } = await client.query(getPg, [seed]);
        await client.query(updatePg, [Date.now(), seed]);
        await client.query(insertPg, [id, rows[0].account, body, 0, Date.now()]);
      }),
    close: () => pool.end(),
  };
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: opts.store });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let ids = 0;
const operations = {
  get: (s) => s.get(`seed-${ids++ % seedRows}`),
  insert: (s) => s.insert(`new-${++ids}`),
  step: (s) => s.step(`new-${++ids}`, `seed-${ids % seedRows}`),
  "step (RC)": (s) => s.step(`new-${++ids}`, `seed-${ids % seedRows}`, false),
};

/** `callers` loops doing `op` for `seconds`: ops/s, each op's latency, and CPU outside the target. */
async function drive(target, op, callers, seconds, engine) {
  const latencies = [];
  const cpu0 = process.cpuUsage();
  const machine0 = machineCpu();
  const server0 = engine === "postgres" ? postgresCpu() : 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await operations[op](target);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const own = process.cpuUsage(cpu0);
  const server = engine === "postgres" ? postgresCpu() - server0 : 0;
  const noise =
    (100 * Math.max(0, machineCpu() - machine0 - (own.user + own.system) / 1e6 - server)) / elapsed;
  return { rate: latencies.length / elapsed, latencies, noise };
}

let exitCode = 0;
try {
  const cpuModel = cpus()[0]?.model ?? "unknown";
  console.log(
    `bench/store  ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpuModel})  ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  );
  const engines = opts.store ? ["sqlite", "postgres"] : ["sqlite"];
  console.log(
    `${engines.join(" and ")}${opts.store ? ` (PostgreSQL at ${new URL(opts.store).host})` : ""}; ${rounds} alternating rounds of ${slice} s per target\n`,
  );
  if (!opts.store) console.log("(no --store: PostgreSQL is not measured)\n");
  const rows = [];
  for (const engine of engines) {
    const ops = Object.keys(operations).filter((op) => op !== "step (RC)" || engine === "postgres");
    for (const op of ops) {
      for (const callers of callerCounts) {
        const results = { jeff: [], bare: [] };
        for (let r = 0; r < rounds; r++) {
          for (const who of r % 2 === 0 ? ["jeff", "bare"] : ["bare", "jeff"]) {
            const target = who === "jeff" ? await jeffStore(engine) : await bareStore(engine);
            try {
              await drive(target, op, callers, Math.min(0.3, slice / 4), engine); // warm
              results[who].push(await drive(target, op, callers, slice, engine));
            } finally {
              await target.close();
            }
          }
        }
        const mean = (list) => list.reduce((sum, x) => sum + x.rate, 0) / list.length;
        const all = (list) => list.flatMap((x) => x.latencies).sort((a, b) => a - b);
        const ratios = results.jeff.map((j, i) => j.rate / results.bare[i].rate);
        rows.push({
          engine,
          op,
          callers,
          jeff: mean(results.jeff),
          bare: mean(results.bare),
          ratioMin: Math.min(...ratios),
          ratioMax: Math.max(...ratios),
          jeffP50: percentile(all(results.jeff), 50),
          jeffP99: percentile(all(results.jeff), 99),
          bareP50: percentile(all(results.bare), 50),
          bareP99: percentile(all(results.bare), 99),
          noise: Math.max(...[...results.jeff, ...results.bare].map((x) => x.noise)),
        });
      }
    }
  }
  for (const line of tableLines(
    [
      ["engine", 8, (r) => r.engine, "l"],
      ["operation", 10, (r) => r.op, "l"],
      ["callers", 7, (r) => String(r.callers), "r"],
      ["Jeff ops/s", 10, (r) => fmt(r.jeff), "r"],
      ["bare ops/s", 10, (r) => fmt(r.bare), "r"],
      [
        "Jeff / bare (rounds)",
        20,
        (r) => `${fmt(r.jeff / r.bare, 2)}x (${fmt(r.ratioMin, 2)}-${fmt(r.ratioMax, 2)})`,
        "r",
      ],
      ["Jeff p50/p99 ms", 15, (r) => `${fmt(r.jeffP50, 2)}/${fmt(r.jeffP99, 2)}`, "r"],
      ["bare p50/p99 ms", 15, (r) => `${fmt(r.bareP50, 2)}/${fmt(r.bareP99, 2)}`, "r"],
      ["others' CPU", 11, (r) => `${fmt(r.noise)} %`, "r"],
    ],
    rows,
  ))
    console.log(line);
  console.log(
    "\nbetter-sqlite3 is synchronous: its callers take turns, as Jeff's SQLite store's do (one connection).",
  );
  if (opts.json) {
    await writeFile(
      opts.json,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpuModel, rows }, null, 2)}\n`,
    );
  }
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
  if (schemas.length > 0) await admin(`DROP SCHEMA ${schemas.join(", ")} CASCADE`).catch(() => undefined);
}
process.exit(exitCode);
