/**
 * The one runner of AWS's recorded answers, for every service: each recorded test in scope is
 * replayed against a real Jeff by its case (a file of `<service>/cases/`), and each answer is
 * compared with what AWS answered (snapshot-match.ts). It prints passed/total by file and class,
 * what was excluded and by which reason, and answers the count the caller holds to its ratchet.
 *
 * JEFF_REPLAY=<text> runs only the tests whose key contains it and prints every difference.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { corpusFor } from "./corpus.js";
import type { RecordedReplay } from "./recorded-replay.js";
import { Bindings, differences, escapeRegExp, normalise } from "./snapshot-match.js";

/** One recorded test replayed: its file, its key after `<file>.py::`, and the calls it makes. */
export interface ReplayCase<R, F extends string = string> {
  readonly file: F;
  readonly test: string;
  readonly run: (replay: R) => Promise<void>;
}

export function replayCase<R, F extends string>(
  file: F,
  test: string,
  run: (replay: R) => Promise<void>,
): ReplayCase<R, F> {
  return { file, test, run };
}

export interface Recording<F extends string = string> {
  readonly file: F;
  /** The key after `<file>.py::`. */
  readonly test: string;
  /** When AWS answered it (the recording's `recorded-date`). */
  readonly date: Date;
  readonly content: Record<string, unknown>;
}

/**
 * Answers AWS has since given otherwise. The recordings span years, and some answers changed in
 * that time (a configuration key that every later recording shows, a message reworded): where an
 * old recording and a newer one disagree, no service can answer as both, and Jeff answers as the
 * newer. A supersession names the newer recording (`by`, `<file>::<test>`) and the answer paths it
 * overrules; those paths are set aside on both sides before the old recording is compared (or, with
 * `rewrite`, the old recording's text there is rewritten to the newer answer), and everything else
 * in it must still match. The runner checks that `by` exists, is newer than every recording the
 * supersession is applied to and shows the newer answer (at `shownAt`, or the same paths); one applied by date alone (no `tests`) applies
 * only to a recording without those paths, so it can only set aside what Jeff adds. It prints how
 * many tests pass only by each supersession that touched them.
 */
export interface Supersession {
  /** The older recordings overruled (`<file>::<test>`); when omitted, every one made before `by`. */
  readonly tests?: readonly string[];
  /**
   * The answer paths overruled: the call's label, then keys, separated by dots. `*` in a part
   * stands for any text; a part `**` for any number of parts.
   */
  readonly paths: readonly string[];
  /** The old recording's text at the paths made the newer answer, instead of set aside on both sides. */
  readonly rewrite?: { readonly from: RegExp; readonly to: string };
  readonly by: string;
  /** Where `by` shows the newer answer, when its calls are labelled otherwise than `paths` say. */
  readonly shownAt?: readonly string[];
  /** What AWS answers now, in a few words. */
  readonly why: string;
}

export interface RecordedRun<R extends RecordedReplay, F extends string> {
  /** The service's folder under recorded/, and its name in the summary. */
  readonly service: string;
  readonly title: string;
  readonly files: readonly F[];
  /** Why a test is out of scope, if it is. */
  readonly excludedBy: (file: F, test: string) => string | undefined;
  /** The folder of the case files, each exporting `cases: readonly ReplayCase[]`. */
  readonly casesDir: URL;
  /** A fresh replay for one recording. */
  readonly replayFor: (recording: Recording<F>) => R;
  /** Jeff's account, and the account AWS's recordings show instead. */
  readonly accounts: ReadonlyMap<string, string>;
  readonly caseDeadlineMs?: number;
  readonly superseded?: readonly Supersession[];
}

export const only = process.env.JEFF_REPLAY;

/** The account AWS's recordings show (LocalStack's tests ran in it). */
export const recordedAccount = "111111111111";

const ratchetFile = new URL("./ratchet.json", import.meta.url);

/** The ratchet's value for `key`: a count of passes that may only go up. */
export function ratchet(key: string): number {
  return (JSON.parse(readFileSync(ratchetFile, "utf8")) as Record<string, number>)[key] ?? 0;
}

function recordings<F extends string>(service: string, files: readonly F[]): Recording<F>[] {
  const dir = join(corpusFor("recorded").file, "..", service);
  return files.flatMap((file) => {
    const snapshot = JSON.parse(readFileSync(join(dir, `${file}.snapshot.json`), "utf8")) as Record<
      string,
      { "recorded-date": string; "recorded-content": Record<string, unknown> }
    >;
    return Object.entries(snapshot).map(([key, value]) => ({
      file,
      test: key.slice(key.indexOf(".py::") + 5),
      date: recordedDate(value["recorded-date"]),
      content: value["recorded-content"],
    }));
  });
}

/** LocalStack's `recorded-date`: `dd-mm-yyyy, hh:mm:ss`, in UTC. */
function recordedDate(text: string): Date {
  const m = /^(\d{2})-(\d{2})-(\d{4}), (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`a recorded-date not read: ${text}`);
  return new Date(Date.UTC(+m[3]!, +m[2]! - 1, +m[1]!, +m[4]!, +m[5]!, +m[6]!));
}

/** Each recording's supersessions, checked against the recordings they name. */
function supersessionsOf<F extends string>(
  all: readonly Recording<F>[],
  superseded: readonly Supersession[],
): (recording: Recording<F>) => Supersession[] {
  const byKey = new Map(all.map((r) => [`${r.file}::${r.test}`, r]));
  for (const s of superseded) {
    const newer = byKey.get(s.by);
    if (newer === undefined) throw new Error(`supersession "${s.why}": no recording ${s.by}`);
    if (!holds(newer.content, s.shownAt ?? s.paths)) {
      throw new Error(`supersession "${s.why}": ${s.by} does not show the newer answer where it says`);
    }
    for (const test of s.tests ?? []) {
      const older = byKey.get(test);
      if (older === undefined) throw new Error(`supersession "${s.why}": no recording ${test}`);
      if (older.date >= newer.date)
        throw new Error(`supersession "${s.why}": ${test} is not older than ${s.by}`);
    }
  }
  return (recording) => {
    const key = `${recording.file}::${recording.test}`;
    return superseded.filter((s) =>
      s.tests === undefined
        ? recording.date < byKey.get(s.by)!.date && !holds(recording.content, s.paths)
        : s.tests.includes(key),
    );
  };
}

/** Whether any answer of `content` (label → answer) has a key one of `paths` names. */
function holds(content: Record<string, unknown>, paths: readonly string[]): boolean {
  return Object.entries(content).some(([label, answer]) => touches(label, answer, paths));
}

/** Whether `paths` name any key of `answer`. */
export function touches(label: string, answer: unknown, paths: readonly string[]): boolean {
  let found = false;
  amend(label, answer, paths, (value) => {
    found = true;
    return value;
  });
  return found;
}

/** `answer` without what `paths` name (label first, as Supersession.paths reads). */
export function setAside(label: string, answer: unknown, paths: readonly string[]): unknown {
  return amend(label, answer, paths, () => removed);
}

const removed = Symbol("removed");

/** `answer` with each value `paths` name replaced by `edit` of it, or left out where it answers `removed`. */
function amend(
  label: string,
  answer: unknown,
  paths: readonly string[],
  edit: (value: unknown) => unknown,
): unknown {
  const patterns = paths.map((path) => path.split(".").map(partPattern));
  const walk = (value: unknown, at: readonly string[]): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, at));
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const here = [...at, key];
      if (patterns.some((p) => pathMatches(p, here))) {
        const edited = edit(v);
        if (edited !== removed) out[key] = edited;
      } else {
        out[key] = walk(v, here);
      }
    }
    return out;
  };
  return walk(answer, [label]);
}

/** What an old recording's answer is compared as, and Jeff's, once `s` overrules part of it. */
function overruled(s: Supersession, label: string, recorded: unknown, actual: unknown): [unknown, unknown] {
  const { rewrite } = s;
  if (rewrite === undefined) return [setAside(label, recorded, s.paths), setAside(label, actual, s.paths)];
  const rewritten = amend(label, recorded, s.paths, (v) =>
    typeof v === "string" ? v.replace(rewrite.from, rewrite.to) : v,
  );
  return [rewritten, actual];
}

function partPattern(part: string): RegExp | "**" {
  if (part === "**") return "**";
  return new RegExp(`^${part.split("*").map(escapeRegExp).join(".*")}$`);
}

function pathMatches(pattern: readonly (RegExp | "**")[], path: readonly string[]): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [first, ...rest] = pattern;
  if (first === "**") {
    for (let skip = 0; skip <= path.length; skip++) if (pathMatches(rest, path.slice(skip))) return true;
    return false;
  }
  return path.length > 0 && first!.test(path[0]!) && pathMatches(rest, path.slice(1));
}

async function loadCases<R, F extends string>(casesDir: URL): Promise<Map<string, ReplayCase<R, F>>> {
  const dir = fileURLToPath(casesDir);
  const out = new Map<string, ReplayCase<R, F>>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".ts"))
    .sort()) {
    const module = (await import(join(dir, name))) as { cases: readonly ReplayCase<R, F>[] };
    for (const c of module.cases) {
      const key = `${c.file}::${c.test}`;
      if (out.has(key)) throw new Error(`${name}: ${key} has two cases`);
      out.set(key, c);
    }
  }
  return out;
}

/** Replays every recording in scope; prints the tally and the differences; answers the passes. */
export async function replayRecorded<R extends RecordedReplay, F extends string>(
  run: RecordedRun<R, F>,
): Promise<number> {
  const all = recordings(run.service, run.files);
  const supersessionsFor = supersessionsOf(all, run.superseded ?? []);
  /** Per supersession, the tests that pass only by it. */
  const decided = new Map<Supersession, number>();
  const byKey = await loadCases<R, F>(run.casesDir);
  // Cases for tests whose recordings are not here are kept: Jeff is checked against those too.
  const unrecorded = [...byKey.keys()].filter((key) => !all.some((r) => `${r.file}::${r.test}` === key));
  const excluded = new Map<string, number>();
  const tally = new Map<string, { passed: number; total: number }>();
  const byFile = new Map<string, { passed: number; total: number }>();
  const failures: string[] = [];
  let passed = 0;
  let total = 0;
  for (const recording of all) {
    const key = `${recording.file}::${recording.test}`;
    if (only !== undefined && !key.includes(only)) continue;
    const reason = run.excludedBy(recording.file, recording.test);
    if (reason !== undefined) {
      excluded.set(reason, (excluded.get(reason) ?? 0) + 1);
      continue;
    }
    const classOf = recording.test.includes("::") ? recording.test.split("::")[0] : "(module)";
    const counts = [`${recording.file} ${classOf}`, recording.file].map((name, i) => {
      const map = i === 0 ? tally : byFile;
      const count = map.get(name) ?? { passed: 0, total: 0 };
      map.set(name, count);
      count.total++;
      return count;
    });
    total++;
    const replayCase = byKey.get(key);
    const supersessions = supersessionsFor(recording);
    const outcome = replayCase
      ? await replay(run, replayCase, recording, supersessions)
      : { problems: ["no case replays it yet"], decidedBy: [] };
    const problems = outcome.problems;
    if (problems.length === 0) {
      for (const count of counts) count.passed++;
      passed++;
      for (const s of outcome.decidedBy) decided.set(s, (decided.get(s) ?? 0) + 1);
    } else {
      failures.push(`${key}\n    ${problems.slice(0, only === undefined ? 3 : 100).join("\n    ")}`);
    }
  }
  const replayedCount = [...byKey.keys()].filter((k) => only === undefined || k.includes(only)).length;
  const lines = [
    `${run.title}, AWS's recorded answers: ${passed}/${total} in scope (${replayedCount} replayed by a case)`,
    "  by file:",
    ...[...byFile].map(([file, c]) => `    ${file}: ${c.passed}/${c.total}`),
    "  by class:",
    ...[...tally].map(([category, c]) => `    ${category}: ${c.passed}/${c.total}`),
    `  cases whose recording is not here: ${unrecorded.length}`,
    "  excluded, by reason:",
    ...[...excluded].map(([reason, n]) => `    ${reason}: ${n}`),
    "  passing only with answers set aside that a newer recording overrules:",
    ...[...decided].map(([s, n]) => `    ${s.why} (${s.by}): ${n}`),
  ];
  console.log(`${lines.join("\n")}\n\nDiffering:\n${failures.join("\n")}`);
  return passed;
}

/** Runs one case and compares every answer it recorded with AWS's; the differences, if any. */
async function replay<R extends RecordedReplay, F extends string>(
  run: RecordedRun<R, F>,
  replayCase: ReplayCase<R, F>,
  recording: Recording<F>,
  supersessions: readonly Supersession[],
): Promise<{ problems: string[]; decidedBy: Supersession[] }> {
  const r = run.replayFor(recording);
  const deadline = run.caseDeadlineMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      replayCase.run(r),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("the case did not finish")), deadline);
      }),
    ]);
  } catch (error) {
    await r.cleanUp();
    const problem = `the case failed: ${(error as Error).stack?.split("\n").slice(0, 3).join(" ") ?? error}`;
    return { problems: [problem], decidedBy: [] };
  } finally {
    clearTimeout(timer);
  }
  await r.cleanUp();
  const compare = (applied: readonly Supersession[]): string[] => {
    const bindings = new Bindings();
    const problems: string[] = [];
    for (const [label, recorded] of Object.entries(recording.content)) {
      if (!r.matched.has(label)) {
        problems.push(`${label}: not replayed`);
        continue;
      }
      let theirs: unknown = recorded;
      let ours = normalise(r.matched.get(label), run.accounts, r.replacements, label);
      for (const s of applied) [theirs, ours] = overruled(s, label, theirs, ours);
      problems.push(...differences(theirs, ours, bindings, label));
    }
    for (const label of r.matched.keys()) {
      if (!(label in recording.content)) problems.push(`${label}: AWS recorded no such answer`);
    }
    return problems;
  };
  const problems = compare(supersessions);
  // The supersessions that set something aside in this test (on either side), if it passes only by them.
  const decidedBy =
    problems.length === 0 && supersessions.length > 0 && compare([]).length > 0
      ? supersessions.filter(
          (s) =>
            holds(recording.content, s.paths) ||
            [...r.matched].some(([label, answer]) => touches(label, answer, s.paths)),
        )
      : [];
  return { problems, decidedBy };
}
