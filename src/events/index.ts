/**
 * EventBridge: event buses, rules, targets, PutEvents and delivery on the work queue; the
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
export { eventsSubsystem } from "./subsystem.js";
