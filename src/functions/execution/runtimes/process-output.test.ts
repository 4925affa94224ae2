import { describe, expect, it } from "vitest";
import { logEventsOf, plainLog, recordEndBare, recordLineBreak } from "./process-output.js";

describe("logEventsOf", () => {
  it("makes each line an event with its newline, and a marked record one event", () => {
    const error = [
      "[ERROR] ValueError: no",
      "Traceback (most recent call last):",
      '\u00a0\u00a0File "app.py"',
    ];
    const log = `START RequestId: r Version: $LATEST\nmulti\nline\n${error.join(recordLineBreak)}\nanother\rline\n\nEND RequestId: r\n`;
    expect(logEventsOf(log)).toEqual([
      "START RequestId: r Version: $LATEST\n",
      "multi\n",
      "line\n",
      `${error.join("\n")}\n`,
      "another\rline\n",
      "END RequestId: r\n",
    ]);
  });
  it("leaves a bare record's last newline to the log alone, as Lambda logs a Python error", () => {
    const log = `START\n[ERROR] E: x${recordLineBreak}Traceback${recordEndBare}END\n`;
    expect(logEventsOf(log)).toEqual(["START\n", "[ERROR] E: x\nTraceback", "END\n"]);
    expect(plainLog(log)).toBe("START\n[ERROR] E: x\nTraceback\nEND\n");
  });
});
