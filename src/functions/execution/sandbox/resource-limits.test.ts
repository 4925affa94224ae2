import { describe, expect, it } from "vitest";
import { hardLimits, prlimitOptions } from "./resource-limits.js";

const procLimits = `Limit                     Soft Limit           Hard Limit           Units
Max stack size            8388608              unlimited            bytes
Max core file size        0                    unlimited            bytes
Max processes             96362                96362                processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe("Lambda's resource limits", () => {
  it("are AWS's where Jeff's own hard limits allow them", () => {
    expect(prlimitOptions(hardLimits(procLimits))).toEqual([
      "--nofile=1024:1024",
      "--nproc=742:742",
      "--memlock=65536:65536",
      "--core=10737418240:10737418240",
      "--stack=8388608:unlimited",
    ]);
  });

  it("never ask for more than a hard limit Jeff runs under", () => {
    const tight = hardLimits(
      procLimits
        .replace(/unlimited(\s+bytes\n)$/m, "4096$1")
        .replace("20000                20000", "512                  512"),
    );
    expect(prlimitOptions(tight)).toContain("--nofile=512:512");
    expect(prlimitOptions(new Map([["Max stack size", 4_194_304]]))).toContain("--stack=4194304:4194304");
  });
});
