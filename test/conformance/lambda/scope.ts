/**
 * Which recorded Lambda tests the replay covers. In scope: every test of `test_lambda_api`,
 * `test_lambda` and `test_lambda_destinations`, except those of features Jeff does not have yet
 * (README.md, "Not built yet"), each excluded by the feature it needs. A test that is in scope and
 * has no case counts as failed.
 */
export const replayedFiles = ["test_lambda_api", "test_lambda", "test_lambda_destinations"] as const;

export type ReplayedFile = (typeof replayedFiles)[number];

/**
 * Features not built, each with the tests (their key after `<file>.py::`, as a prefix) that need
 * it. A prefix ending in `::` is a whole class; one ending in `[` all parameters of one test.
 */
export const notBuilt: ReadonlyArray<readonly [feature: string, prefixes: readonly string[]]> = [
  [
    "function URLs (they come with the gateway)",
    ["TestLambdaUrl::", "TestLambdaURL::", "TestRequestIdHandling::test_request_id_invoke_url"],
  ],
  ["code signing", ["TestCodeSigningConfig::"]],
  ["event source mappings", ["TestLambdaEventSourceMappings::"]],
  ["provisioned concurrency", ["TestLambdaProvisionedConcurrency::"]],
  ["layers", ["TestLambdaLayer::"]],
  ["container images", ["TestLambdaImages::"]],
  ["SnapStart", ["TestLambdaSnapStart::"]],
  ["SQS and SNS (destinations and dead-letter queues)", ["TestLambdaDestinationSqs::", "TestLambdaDLQ::"]],
  ["EventBridge destinations (they come with the event bus)", ["TestLambdaDestinationEventbridge::"]],
  [
    "S3 (code from a bucket)",
    ["TestLambdaFeatures::test_upload_lambda_from_s3", "TestLambdaFeatures::test_invocation_with_qualifier"],
  ],
  [
    "arm64 hardware",
    ["TestLambdaBehavior::test_runtime_introspection_arm", "TestLambdaBehavior::test_mixed_architecture"],
  ],
  [
    "runtimes Jeff does not run (nodejs16.x, nodejs18.x)",
    [
      "TestLambdaFeatures::test_invocation_with_logs[nodejs16.x]",
      "TestLambdaFeatures::test_invocation_type_request_response[nodejs16.x]",
      "TestLambdaFeatures::test_invocation_type_event[nodejs16.x]",
      "TestLambdaFeatures::test_invocation_type_dry_run[nodejs16.x]",
      // recorded on nodejs16.x, as its answer says
      "TestLambdaFeatures::test_lambda_with_context",
      "TestLambdaFeatures::test_invocation_type_no_return_payload[nodejs-",
    ],
  ],
  [
    "Step Functions (the function calls StartSyncExecution)",
    ["TestLambdaBehavior::test_lambda_host_prefix_api_operation"],
  ],
];

/** The feature that keeps the test out of scope, if one does. */
export function excludedBy(test: string): string | undefined {
  for (const [feature, prefixes] of notBuilt) {
    if (prefixes.some((prefix) => test.startsWith(prefix))) return feature;
  }
  return undefined;
}
