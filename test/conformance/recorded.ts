// Reads AWS's recorded answers (recorded/<service>/<file>.snapshot.json in the corpora's folder;
// recorded/README.md says how they were made) at test time, so none of them is copied here.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { corpusFor } from "./corpus.js";

export interface RecordedError {
  readonly code: string;
  readonly message: string;
  readonly status: number;
}

const recordedDir = dirname(corpusFor("recorded").file);
const files = new Map<string, Record<string, { "recorded-content": Record<string, unknown> }>>();

/** The error AWS answered in one recorded call: `test` is the test's name after its last `::`. */
export function recordedError(file: string, test: string, label: string): RecordedError {
  let snapshot = files.get(file);
  if (!snapshot) {
    snapshot = JSON.parse(readFileSync(join(recordedDir, file), "utf8")) as NonNullable<typeof snapshot>;
    files.set(file, snapshot);
  }
  const key = Object.keys(snapshot).find((k) => k.endsWith(`::${test}`));
  const answer = key ? snapshot[key]?.["recorded-content"][label] : undefined;
  const { Error: error, ResponseMetadata: meta } = (answer ?? {}) as {
    Error?: { Code: string; Message: string };
    ResponseMetadata?: { HTTPStatusCode: number };
  };
  if (!error || !meta) throw new Error(`no recorded error ${file} ${test} ${label}`);
  return { code: error.Code, message: error.Message, status: meta.HTTPStatusCode };
}
