import { describe, expect, it } from "vitest";
import { ManualClock } from "./queue-clock.js";

describe("ManualClock", () => {
  it("fires timers in time order, each at its own moment, as time is advanced", () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimer(() => fired.push(`c@${clock.now()}`), 20);
    clock.advance(15);
    expect(fired).toEqual(["a@1010"]);
    clock.advance(100);
    expect(fired).toEqual(["a@1010", "b@1020", "c@1020"]);
    expect(clock.now()).toBe(1115);
  });

  it("fires a timer set by a timer when its time falls within the same advance", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      if (fired.length < 3) clock.setTimer(tick, 10);
    };
    clock.setTimer(tick, 10);
    clock.advance(100);
    expect(fired).toEqual([10, 20, 30]);
  });

  it("never fires a cancelled timer", () => {
    const clock = new ManualClock(0);
    let fired = false;
    const cancel = clock.setTimer(() => {
      fired = true;
    }, 5);
    expect(clock.pendingTimers).toBe(1);
    cancel();
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });
});
