// The choice of isolation: the sandbox where it can be built, and what each mode does where it
// cannot. The probe itself runs a real trial sandbox (see sandbox-attacks.test.ts for the walls).
import { describe, expect, it } from "vitest";
import { chooseIsolation, IsolationUnavailableError } from "./isolation.js";

const unavailable = async () => ({
  kind: "unavailable" as const,
  reason: "bwrap (bubblewrap) is not on PATH",
});

describe("chooseIsolation", () => {
  it("runs plain processes when the operator asks for them, without probing", async () => {
    let probed = false;
    const chosen = await chooseIsolation("process", async () => {
      probed = true;
      return unavailable();
    });
    expect(chosen).toEqual({ isolation: { kind: "process" } });
    expect(probed).toBe(false);
  });

  it("refuses for `sandbox` where the sandbox cannot be built, saying what is missing and the way out", async () => {
    const refused = chooseIsolation("sandbox", unavailable);
    await expect(refused).rejects.toBeInstanceOf(IsolationUnavailableError);
    await expect(refused).rejects.toThrow(
      /bwrap \(bubblewrap\) is not on PATH.*apt-get install bubblewrap passt.*--isolation process/,
    );
  });

  it("falls back to plain processes for `auto`, with the reason for the warning", async () => {
    expect(await chooseIsolation("auto", unavailable)).toEqual({
      isolation: { kind: "process" },
      fallbackReason: "bwrap (bubblewrap) is not on PATH",
    });
  });

  it.runIf(process.platform === "linux" && process.env.JEFF_ISOLATION === "sandbox")(
    "builds the sandbox on a machine that has it (CI)",
    async () => {
      const { isolation } = await chooseIsolation("sandbox");
      expect(isolation.kind).toBe("sandbox");
    },
  );
});
