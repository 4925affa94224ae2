/**
 * EventBridge's event-pattern language as a pure library: validating a pattern's JSON text as AWS
 * does, compiling it once, and matching events against every rule of a bus with one index.
 *
 * Contract: the pattern language of Amazon EventBridge ("Amazon EventBridge event patterns" and
 * "Content filtering"), its refusals as `InvalidEventPatternException` in AWS's words, and
 * TestEventPattern's answer. Checked against AWS's recorded answers
 * (`pattern-conformance.test.ts`).
 *
 * Invariant: the work to match an event follows the event's fields and the conditions it
 * satisfies, never the number of rules. This folder does no I/O.
 *
 * @module
 */

export {
  type Alternative,
  type CompiledPattern,
  type CompileOptions,
  compilePattern,
  defaultPatternSizeLimit,
  type FieldCondition,
  orCombinationLimit,
  wildcardStarLimit,
} from "./pattern-compile.js";
export { InvalidEventPatternError, InvalidTestEventError } from "./pattern-errors.js";
export { RuleSet } from "./rule-set.js";
export { parseTestEvent, requiredEnvelopeFields, testEventPattern } from "./test-event-pattern.js";
export { type Leaf, leafMatches, type ValueMatcher } from "./value-matchers.js";
