/**
 * What a rule's target receives, as a pure library: PutTargets' checks of a target's `Input`,
 * `InputPath` and `InputTransformer` (validateTargetInput, its refusals as data), and the text a
 * matched event becomes for that target (shapeInput).
 *
 * Contract: "Amazon EventBridge input transformation" (user guide) and the API reference's
 * `Target` and `InputTransformer`, checked against AWS's recorded answers and deliveries
 * (test_events_inputs). The API model's limits (100 paths, key characters, lengths) are the edge's
 * model validation, not this module's.
 *
 * Invariant: shaping an event never fails a delivery loudly; what AWS would not deliver is
 * answered as not delivered, with the reason. This folder does no I/O and reads no clock.
 *
 * @module
 */

export { type TargetInputError, targetInputErrors } from "./input-errors.js";
export { type JsonPath, parseJsonPath, type Selection, selectJsonPath } from "./json-path.js";
export { type InputContext, type ShapedInput, shapeInput } from "./shape-input.js";
export { type TargetInputSettings, validateTargetInput } from "./validate-target-input.js";
