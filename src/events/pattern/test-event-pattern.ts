import { type CompileOptions, compilePattern } from "./pattern-compile.js";
import { InvalidTestEventError } from "./pattern-errors.js";
import { RuleSet } from "./rule-set.js";

/** The envelope fields TestEventPattern requires of its event. */
export const requiredEnvelopeFields = ["id", "account", "source", "time", "region", "detail-type"] as const;

/** TestEventPattern's event: a JSON object with the envelope's fields, else InvalidTestEventError. */
export function parseTestEvent(text: string): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw new InvalidTestEventError();
  }
  if (event === null || typeof event !== "object" || Array.isArray(event)) throw new InvalidTestEventError();
  for (const field of requiredEnvelopeFields) if (!(field in event)) throw new InvalidTestEventError();
  return event as Record<string, unknown>;
}

/**
 * TestEventPattern: whether the event matches the pattern, through the same RuleSet delivery
 * uses. Throws InvalidEventPatternError for the pattern, then InvalidTestEventError for the event.
 */
export function testEventPattern(
  patternText: string,
  eventText: string,
  options: CompileOptions = {},
): boolean {
  const pattern = compilePattern(patternText, options);
  const event = parseTestEvent(eventText);
  return new RuleSet<true>().set(true, pattern).matches(event).length > 0;
}
