import { type ReplayCase as AnyReplayCase, replayCase } from "../recorded-runner.js";
import type { Replay } from "./replay.js";
import type { ReplayedFile } from "./scope.js";

/** One recorded EventBridge test replayed. */
export type ReplayCase = AnyReplayCase<Replay, ReplayedFile>;

export const replayed = replayCase<Replay, ReplayedFile>;
