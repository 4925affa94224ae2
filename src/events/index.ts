/**
 * EventBridge: event buses, rules, targets, PutEvents and delivery on the work queue; the
 * event-pattern language (`pattern/`), which PutRule, TestEventPattern and delivery all use; and
 * what a target receives (`input/`: PutTargets' checks of Input, InputPath and InputTransformer,
 * and shaping a matched event into the target's input).
 *
 * Contract: Amazon EventBridge (awsJson1_1, `AWSEvents.*`), its event patterns and their refusals
 * in AWS's words. Invariant: the work to match an event never grows with the number of rules.
 *
 * @module
 */

export {
  EventTargets,
  TargetFailure,
  type TargetHandler,
  type TargetHandOver,
} from "./event-targets.js";
export {
  type InputContext,
  type ShapedInput,
  shapeInput,
  type TargetInputError,
  type TargetInputSettings,
  targetInputErrors,
  validateTargetInput,
} from "./input/index.js";
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
export { defaultReplayStartDelayMs } from "./replay-job.js";
export { eventsSubsystem } from "./subsystem.js";
