// The dead letters Jeff keeps under a queue's ARN, as `jeff events dead-letters` lists them.
import { type JeffProcess, runJeff } from "./jeff-process.js";
import { until } from "./until.js";

export interface DeadLetter {
  readonly attributes: Record<string, string>;
}

/** The dead letters kept under `queueArn` now. */
export async function deadLettersIn(jeff: JeffProcess, queueArn: string): Promise<DeadLetter[]> {
  const { stdout } = await runJeff([
    "events",
    "dead-letters",
    "--queue",
    queueArn,
    "--json",
    "--data-dir",
    jeff.dataDir,
  ]);
  return (JSON.parse(stdout) as { deadLetters: DeadLetter[] }).deadLetters;
}

/** The dead letters under `queueArn`, once there is at least one. */
export async function firstDeadLetters(
  jeff: JeffProcess,
  queueArn: string,
  what = "the dead letter",
): Promise<DeadLetter[]> {
  let letters: DeadLetter[] = [];
  await until(async () => {
    letters = await deadLettersIn(jeff, queueArn);
    return letters.length > 0;
  }, what);
  return letters;
}
