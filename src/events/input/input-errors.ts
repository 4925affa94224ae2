/**
 * PutTargets' refusals of a target's `Input`, `InputPath` or `InputTransformer`, as data. Each is
 * the error AWS answers for the whole request (`ValidationException`, 400); the service throws it as
 * an AwsError. Limits the API model states (at most 100 paths, keys of `[A-Za-z0-9_-]`, which no
 * reserved `aws.events.*` name passes, paths of at most 256 characters, a template of 1 to 8,192)
 * are refused earlier, by the edge's model validation, in its "N validation error(s) detected"
 * words.
 */

export interface TargetInputError {
  readonly code: "ValidationException";
  readonly status: 400;
  readonly message: string;
}

const validation = (message: string): TargetInputError => ({
  code: "ValidationException",
  status: 400,
  message,
});

export const targetInputErrors = {
  /** Recorded (test_put_event_input_path_and_input_transformer). */
  moreThanOneInput: (targetId: string) =>
    validation(`Only one of Input, InputPath, or InputTransformer must be provided for target ${targetId}.`),
  /** AWS's words with Jackson's location of the syntax error (`[Source: (String)"…"; line: 1, column: 3]`). */
  inputNotJson: (targetId: string, location: string) =>
    validation(`JSON syntax error in input for target ${targetId}: ${location}`),
  /** For `InputPath` and for any `InputPathsMap` value alike. */
  invalidJsonPath: (targetId: string) => validation(`InputPath for target ${targetId} is invalid.`),
  /** Recorded (test_put_events_with_input_transformer_missing_keys). */
  invalidPlaceholder: (targetId: string, name: string) =>
    validation(`InputTemplate for target ${targetId} contains invalid placeholder ${name}.`),
  /** `<aws.events.event>` and `<aws.events.event.json>` outside a JSON-object template. */
  placeholderOnlyInJsonTemplate: (targetId: string, name: string) =>
    validation(
      `InputTemplate for target ${targetId} contains placeholder ${name} valid only for JSON template.`,
    ),
} as const;
