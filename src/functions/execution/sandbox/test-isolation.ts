/**
 * The isolation tests run functions with: what JEFF_ISOLATION asks (vitest.config.ts makes it
 * `auto` unless set; .ci/run sets `sandbox`, so CI never quietly tests the weaker mode).
 */
import { chooseIsolation, type Isolation, type IsolationMode } from "./isolation.js";

export async function testIsolation(): Promise<Isolation> {
  const asked = process.env.JEFF_ISOLATION;
  const mode: IsolationMode = asked === "sandbox" || asked === "process" ? asked : "auto";
  return (await chooseIsolation(mode)).isolation;
}
