/**
 * EventBridge: event buses, rules, targets and delivery (as they land). So far only the
 * event-pattern language (`pattern/`), which PutRule, TestEventPattern and delivery all use.
 *
 * Contract: Amazon EventBridge (awsJson1_1, `AWSEvents.*`), its event patterns and their refusals
 * in AWS's words. Invariant: the work to match an event never grows with the number of rules.
 *
 * @module
 */

export {
  type CompiledPattern,
  type CompileOptions,
  compilePattern,
  defaultPatternSizeLimit,
  InvalidEventPatternError,
  InvalidTestEventError,
  parseTestEvent,
  RuleSet,
  testEventPattern,
} from "./pattern/index.js";
