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
    ["TestLambdaUrl::", "TestLambdaURL::", "TestLambdaPermissions::test_lambda_permission_url_invocation"],
  ],
  ["code signing", ["TestCodeSigningConfig::"]],
  ["event source mappings", ["TestLambdaEventSourceMappings::"]],
  [
    "provisioned concurrency",
    [
      "TestLambdaProvisionedConcurrency::",
      "TestLambdaConcurrency::test_lambda_concurrency_block",
      "TestLambdaConcurrency::test_lambda_provisioned_concurrency_",
      "TestLambdaConcurrency::test_provisioned_concurrency",
      "TestLambdaConcurrency::test_reserved_provisioned_overlap",
    ],
  ],
  ["layers", ["TestLambdaLayer::", "TestLambdaMultiAccounts::test_get_lambda_layer"]],
  ["container images", ["TestLambdaImages::"]],
  ["SnapStart", ["TestLambdaSnapStart::"]],
  [
    "SQS and SNS (destinations and dead-letter queues)",
    [
      "TestLambdaDestinationSqs::",
      "TestLambdaDLQ::",
      "TestLambdaConcurrency::test_reserved_concurrency_async_queue",
      "TestLambdaConcurrency::test_reserved_concurrency",
    ],
  ],
  ["S3 (buckets functions write to)", ["TestLambdaVersions::test_async_invoke_queue_upon_function_update"]],
  [
    "other accounts (a Jeff has one account: no IAM accounts, AssumeRole or resource-based policies)",
    ["TestLambdaMultiAccounts::"],
  ],
  ["EventBridge destinations (they come with the event bus)", ["TestLambdaDestinationEventbridge::"]],
];

/** The feature that keeps the test out of scope, if one does. */
export function excludedBy(test: string): string | undefined {
  for (const [feature, prefixes] of notBuilt) {
    if (prefixes.some((prefix) => test.startsWith(prefix))) return feature;
  }
  return undefined;
}
