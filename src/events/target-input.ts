/** What a target receives of an event: the whole event, or what its Input settings make of it. */
import type { EventEnvelope } from "./put-events.js";
import type { TargetDefinition } from "./rule-records.js";

export interface InputContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestedAt: number;
}

export function targetInput(
  target: TargetDefinition,
  eventText: string,
  _event: EventEnvelope,
  _context: InputContext,
): string {
  if (typeof target.Input === "string") return target.Input;
  return eventText;
}
