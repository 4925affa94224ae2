import type { Replay } from "./replay.js";
import type { ReplayedFile } from "./scope.js";

/** One recorded test replayed: its file, its key after `<file>.py::`, and the calls it makes. */
export interface ReplayCase {
  readonly file: ReplayedFile;
  readonly test: string;
  readonly run: (replay: Replay) => Promise<void>;
}

export function replayed(
  file: ReplayedFile,
  test: string,
  run: (replay: Replay) => Promise<void>,
): ReplayCase {
  return { file, test, run };
}
