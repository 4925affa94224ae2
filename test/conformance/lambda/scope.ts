/**
 * Which recorded Lambda tests the replay covers. In scope: every test of `test_lambda_api`,
 * `test_lambda` and `test_lambda_destinations`, except those of features Jeff does not have yet
 * (README.md, "Not built yet"), each excluded by the feature it needs. A test that is in scope and
 * has no case counts as failed.
 */
import type { Supersession } from "../recorded-runner.js";

export const replayedFiles = ["test_lambda_api", "test_lambda", "test_lambda_destinations"] as const;

export type ReplayedFile = (typeof replayedFiles)[number];

/**
 * Features not built, each with the tests (their key after `<file>.py::`, as a prefix) that need
 * it. A prefix ending in `::` is a whole class; one with a `[` the parameters of one test that
 * begin so; any other names one test, with all its parameters (and not the tests whose names
 * merely begin so).
 */
export const notBuilt: ReadonlyArray<readonly [feature: string, prefixes: readonly string[]]> = [
  [
    "function URLs (they come with the gateway)",
    [
      "TestLambdaUrl::",
      "TestLambdaURL::",
      "TestLambdaFunction::test_ops_on_nonexisting_fn[get_function_url_config]",
      "TestLambdaFunction::test_get_function_wrong_region[get_function_url_config]",
      "TestLambdaPermissions::test_lambda_permission_url_invocation",
      "TestRequestIdHandling::test_request_id_invoke_url",
    ],
  ],
  [
    "code signing",
    [
      "TestCodeSigningConfig::",
      "TestLambdaFunction::test_ops_on_nonexisting_fn[get_function_code_signing_config]",
      "TestLambdaFunction::test_get_function_wrong_region[get_function_code_signing_config]",
    ],
  ],
  [
    "event source mappings",
    [
      "TestLambdaEventSourceMappings::",
      "TestLambdaTag::test_create_tag_on_esm_create",
      "TestLambdaTag::test_tag_lifecycle[event_source_mapping]",
    ],
  ],
  [
    "provisioned concurrency",
    [
      "TestLambdaProvisionedConcurrency::",
      "TestLambdaConcurrency::test_lambda_concurrency_block",
      "TestLambdaConcurrency::test_lambda_provisioned_concurrency_moves_with_alias",
      "TestLambdaConcurrency::test_lambda_provisioned_concurrency_scheduling",
      "TestLambdaConcurrency::test_provisioned_concurrency",
      "TestLambdaConcurrency::test_provisioned_concurrency_on_alias",
      "TestLambdaConcurrency::test_provisioned_concurrency_init_failure",
      "TestLambdaConcurrency::test_reserved_provisioned_overlap",
    ],
  ],
  [
    "layers",
    [
      "TestLambdaLayer::",
      "TestLambdaAccountSettings::test_account_settings_total_code_size",
      "TestLambdaMultiAccounts::test_get_lambda_layer",
    ],
  ],
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
    "other accounts (a Jeff has one account: no IAM accounts or AssumeRole into another yet)",
    [
      "TestLambdaMultiAccounts::",
      // its one call is GetFunction by a second account's client (LocalStack's secondary_aws_client)
      "TestPartialARNMatching::test_cross_region_arn_function_access",
    ],
  ],
  [
    "S3 (function code from a bucket)",
    [
      "TestLambdaFunction::test_lambda_code_location_s3",
      // it uploads the package to a bucket, then names wrong buckets and keys
      "TestLambdaFunction::test_lambda_code_location_s3_errors",
      "TestLambdaSizeLimits::test_oversized_unzipped_lambda",
      "TestLambdaSizeLimits::test_oversized_lambda",
      "TestLambdaSizeLimits::test_large_lambda",
      "TestLambdaFeatures::test_upload_lambda_from_s3",
      "TestLambdaFeatures::test_invocation_with_qualifier",
    ],
  ],
  [
    "EC2 (VPC subnets and security groups)",
    [
      "TestLambdaFunction::test_vpc_config",
      "TestLambdaFunction::test_invalid_vpc_config_subnet",
      "TestLambdaFunction::test_invalid_vpc_config_security_group",
    ],
  ],
  [
    "arm64 hardware",
    ["TestLambdaBehavior::test_runtime_introspection_arm", "TestLambdaBehavior::test_mixed_architecture"],
  ],
  [
    "Step Functions (the function calls StartSyncExecution)",
    ["TestLambdaBehavior::test_lambda_host_prefix_api_operation"],
  ],
];

/** The feature that keeps the test out of scope, if one does. */
export function excludedBy(test: string): string | undefined {
  for (const [feature, prefixes] of notBuilt) {
    if (prefixes.some((prefix) => covers(prefix, test))) return feature;
  }
  return undefined;
}

function covers(prefix: string, test: string): boolean {
  if (prefix.endsWith("::") || prefix.includes("[")) return test.startsWith(prefix);
  return test === prefix || test.startsWith(`${prefix}[`);
}

/**
 * Old recordings that a newer one overrules (recorded-runner.ts, Supersession). Each names the
 * newer recording that shows what AWS answers now; Jeff answers as that one.
 */
export const superseded: readonly Supersession[] = [
  {
    // Every function configuration recorded from March 2023 on carries these two keys, none before
    // (they launched in November 2022; the recordings' botocore of late 2022 did not read them yet).
    paths: ["**.SnapStart", "**.RuntimeVersionConfig"],
    by: "test_lambda::TestLambdaConcurrency::test_lambda_provisioned_concurrency_moves_with_alias",
    why: "every function configuration carries SnapStart and RuntimeVersionConfig",
  },
  {
    // Likewise LoggingConfig, from the first recording made after its launch (November 2023) on.
    paths: ["**.LoggingConfig"],
    by: "test_lambda::TestLambdaBehavior::test_lambda_invoke_timed_out_environment_reuse",
    why: "every function configuration carries LoggingConfig",
  },
  {
    // In 2022 publishing a version gave the function's policy a new RevisionId; in the same calls
    // recorded in 2025 the policy keeps its RevisionId (get_policy_after_publishing_latest).
    tests: ["test_lambda_api::TestLambdaPermissions::test_lambda_permission_versioning"],
    paths: [
      "get_policy_after_publishing_latest.RevisionId",
      "get_policy_after_adding_to_new_version.RevisionId",
    ],
    by: "test_lambda_api::TestLambdaPermissions::test_lambda_permission_fn_versioning",
    why: "publishing a version leaves the policy's RevisionId alone",
  },
  {
    // In 2022 a policy's RevisionId was its function's (and adding a permission to version 1 moved
    // that version's); in 2025 the policy keeps its RevisionId while publishing moves the
    // function's. The policies' RevisionIds are set aside, and version 1's after its permission;
    // the functions' others must still match (AddPermission leaves $LATEST's alone).
    tests: ["test_lambda_api::TestLambdaPermissions::test_lambda_permission_revisions"],
    paths: ["get_policy_*.RevisionId", "get_function_fn9_v1.Configuration.RevisionId"],
    by: "test_lambda_api::TestLambdaPermissions::test_lambda_permission_fn_versioning",
    shownAt: ["get_policy*.RevisionId"],
    why: "a policy's RevisionId is its own, not its function's",
  },
  {
    // AddPermission's is recorded so in 2025 (here and in test_lambda_permission_fn_versioning);
    // RemovePermission's is not recorded since, and is taken to have changed with it.
    tests: ["test_lambda_api::TestLambdaPermissions::test_lambda_permission_revisions"],
    paths: ["*_revision_id_doesnotmatch.Error.Message", "*_revision_id_doesnotmatch.message"],
    by: "test_lambda_api::TestLambdaRevisions::test_function_revisions_permissions",
    shownAt: ["add_permission_revision_exception.Error.Message"],
    why: "a policy's RevisionId mismatch says to call GetPolicy (RemovePermission's assumed alike)",
  },
  {
    // Recorded in 2023; in 2025 Invoke of a missing unqualified function names `:$LATEST`.
    tests: ["test_lambda::TestLambdaFeatures::test_invoke_exceptions"],
    paths: ["invoke_function_doesnotexist.Error.Message", "invoke_function_doesnotexist.Message"],
    rewrite: { from: /:function:doesnotexist$/, to: ":function:doesnotexist:$LATEST" },
    by: "test_lambda_api::TestLambdaFunction::test_function_name_and_qualifier_validation[incomplete_arn-invoke]",
    shownAt: ["invoke_exception.Message"],
    why: "Invoke's function-not-found message names $LATEST",
  },
  {
    // Recorded in April 2024; since, a timed-out invocation answers Sandbox.Timedout and
    // "RequestId: … Error: Task timed out after …".
    tests: ["test_lambda::TestLambdaBehavior::test_lambda_invoke_timed_out_environment_reuse"],
    paths: ["invoke-result-timed-out.Payload.errorMessage", "invoke-result-timed-out.Payload.errorType"],
    by: "test_lambda::TestLambdaBehavior::test_lambda_invoke_with_timeout",
    shownAt: ["invoke-result.Payload.errorType"],
    why: "a timeout's error is Sandbox.Timedout, RequestId first",
  },
];
