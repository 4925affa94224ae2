/**
 * The validator against AWS's own answers. Each case replays a call that AWS refused in a recorded
 * test (the request is rebuilt here from that test's source: localstack/localstack at 8b9a79f0,
 * tests/aws/services/…), sends it through the real AWS SDK v3 client to get the bytes a client puts
 * on the wire, reads those with the model, and expects the code, status and message AWS answered.
 * The recordings stay outside the repo (test/conformance/corpus.ts says where).
 */
import { CloudFormationClient, CreateStackCommand } from "@aws-sdk/client-cloudformation";
import {
  CloudWatchLogsClient,
  DeleteMetricFilterCommand,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutMetricFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  AddLayerVersionPermissionCommand,
  AddPermissionCommand,
  CreateFunctionCommand,
  LambdaClient,
  ListLayersCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { skipOrFail } from "../../test/conformance/corpus.js";
import { recordedError } from "../../test/conformance/recorded.js";
import { capturingClientConfig, type SentRequest, sentBy } from "../../test/fixtures/sent-request.js";
import { isAwsError } from "./aws-error.js";
import { readModelRequest } from "./model-request.js";
import { cloudformationModel, eventsModel, lambdaModel, logsModel } from "./models/index.js";
import type { ServiceModel } from "./service-model.js";

const sent: SentRequest[] = [];
const lambda = new LambdaClient(capturingClientConfig(sent));
const logs = new CloudWatchLogsClient(capturingClientConfig(sent));
const cloudformation = new CloudFormationClient(capturingClientConfig(sent));

interface RecordedCase {
  /** recorded/<file>, the test's name after its last `::`, and the call's label in the snapshot. */
  readonly recording: readonly [file: string, test: string, label: string];
  readonly model: ServiceModel;
  /** The call as a client puts it on the wire. */
  readonly request: () => Promise<SentRequest>;
  /** Values the recording replaced by placeholders, and the placeholders. */
  readonly placeholders?: ReadonlyArray<readonly [string, string]>;
}

const role = "arn:aws:iam::111111111111:role/lambda-role";
const zip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
const longTemplate = JSON.stringify({
  Resources: Object.fromEntries(
    Array.from({ length: 1000 }, (_, n) => [
      `Parameter${n}`,
      { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: "{{MacroName}}" } },
    ]),
  ),
});
const transformation = { metricNamespace: "namespace", metricName: "metric", metricValue: "1" };

/** An awsJson1_1 call as the SDKs send it, for EventBridge (whose SDK client Jeff does not carry). */
function eventsCall(operation: string, input: object): SentRequest {
  return {
    method: "POST",
    path: "/",
    query: new URLSearchParams(),
    headers: { "x-amz-target": `AWSEvents.${operation}`, "content-type": "application/x-amz-json-1.1" },
    body: Buffer.from(JSON.stringify(input)),
  };
}
const queueArn = "arn:aws:sqs:us-east-1:111111111111:queue-1";
const longTargetId = `${"a1b2c3d4".repeat(4)}-${"e5f6a7b8".repeat(4)}-extra`;

const cases: readonly RecordedCase[] = [
  {
    recording: [
      "lambda/test_lambda_api.snapshot.json",
      "test_provisioned_concurrency_exceptions",
      "put_provisioned_invalid_param_0",
    ],
    model: lambdaModel,
    request: viaSdk(() =>
      lambda.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: "fn-1",
          Qualifier: "1",
          ProvisionedConcurrentExecutions: 0,
        }),
      ),
    ),
  },
  {
    recording: [
      "lambda/test_lambda_api.snapshot.json",
      "test_permission_exceptions",
      "add_permission_invalid_statement_id",
    ],
    model: lambdaModel,
    request: viaSdk(() =>
      lambda.send(
        new AddPermissionCommand({
          FunctionName: "fn-1",
          Action: "lambda:InvokeFunction",
          StatementId: "example.com",
          Principal: "s3.amazonaws.com",
        }),
      ),
    ),
  },
  {
    recording: [
      "lambda/test_lambda_api.snapshot.json",
      "test_layer_policy_exceptions",
      "layer_permission_action_invalid",
    ],
    model: lambdaModel,
    request: viaSdk(() =>
      lambda.send(
        new AddLayerVersionPermissionCommand({
          LayerName: "layer-1",
          VersionNumber: 1,
          Action: "*",
          Principal: "*",
          StatementId: "s-1a2b3c",
        }),
      ),
    ),
  },
  {
    recording: [
      "lambda/test_lambda_api.snapshot.json",
      "test_layer_exceptions",
      "list_layers_exc_compatiblearchitecture_invalid",
    ],
    model: lambdaModel,
    request: viaSdk(() =>
      lambda.send(new ListLayersCommand({ CompatibleArchitecture: "archdoesnotexist" as "x86_64" })),
    ),
  },
  {
    recording: [
      "lambda/test_lambda_api.snapshot.json",
      "test_snapstart_exceptions",
      "create_function_invalid_snapstart_apply",
    ],
    model: lambdaModel,
    request: viaSdk(() =>
      lambda.send(
        new CreateFunctionCommand({
          FunctionName: "invalid-function-1a2b3c",
          Handler: "cloud.localstack.sample.LambdaHandlerWithLib",
          Code: { ZipFile: zip },
          PackageType: "Zip",
          Role: role,
          Runtime: "java21",
          SnapStart: { ApplyOn: "invalidOption" as "None" },
        }),
      ),
    ),
  },
  {
    recording: [
      "logs/test_logs_events.snapshot.json",
      "test_get_log_events_limit_validation",
      "error-limit-exceeded",
    ],
    model: logsModel,
    request: viaSdk(() =>
      logs.send(
        new GetLogEventsCommand({ logGroupName: "group-1", logStreamName: "stream-1", limit: 10001 }),
      ),
    ),
  },
  {
    recording: [
      "logs/test_logs_filter_events.snapshot.json",
      "test_filter_log_events_limit_validation",
      "error-limit-exceeded",
    ],
    model: logsModel,
    request: viaSdk(() => logs.send(new FilterLogEventsCommand({ logGroupName: "group-1", limit: 10001 }))),
  },
  {
    recording: [
      "logs/test_logs_metric_filters.snapshot.json",
      "test_put_metric_filter_invalid_filter_name",
      "error-invalid-filter-name",
    ],
    model: logsModel,
    request: viaSdk(() =>
      logs.send(
        new PutMetricFilterCommand({
          logGroupName: "group-1",
          filterName: "X".repeat(513),
          filterPattern: "pattern",
          metricTransformations: [transformation],
        }),
      ),
    ),
  },
  {
    recording: [
      "logs/test_logs_metric_filters.snapshot.json",
      "test_put_metric_filter_invalid_filter_pattern",
      "error-invalid-filter-pattern",
    ],
    model: logsModel,
    request: viaSdk(() =>
      logs.send(
        new PutMetricFilterCommand({
          logGroupName: "group-1",
          filterName: "valid-filter",
          filterPattern: "X".repeat(1025),
          metricTransformations: [transformation],
        }),
      ),
    ),
  },
  {
    recording: [
      "logs/test_logs_metric_filters.snapshot.json",
      "test_delete_metric_filter_invalid_filter_name",
      "error-invalid-filter-name",
    ],
    model: logsModel,
    request: viaSdk(() =>
      logs.send(new DeleteMetricFilterCommand({ logGroupName: "group-1", filterName: "X".repeat(513) })),
    ),
  },
  {
    recording: [
      "logs/test_logs_metric_filters.snapshot.json",
      "test_describe_metric_filters_invalid_parameters",
      "error-invalid-filter-prefix",
    ],
    model: logsModel,
    request: viaSdk(() => logs.send(new DescribeMetricFiltersCommand({ filterNamePrefix: "X".repeat(513) }))),
  },
  {
    recording: [
      "logs/test_logs_metric_filters.snapshot.json",
      "test_describe_metric_filters_invalid_parameters",
      "error-invalid-metric-name",
    ],
    model: logsModel,
    request: viaSdk(() =>
      logs.send(new DescribeMetricFiltersCommand({ metricName: "X".repeat(256), metricNamespace: "valid" })),
    ),
  },
  {
    recording: [
      "cloudformation/test_template_engine.snapshot.json",
      "test_to_validate_template_limit_for_macro",
      "error_response",
    ],
    model: cloudformationModel,
    request: viaSdk(() =>
      cloudformation.send(new CreateStackCommand({ StackName: "stack-1a2b3c", TemplateBody: longTemplate })),
    ),
    placeholders: [[longTemplate, "<template-body>"]],
  },
  {
    recording: [
      "events/test_events.snapshot.json",
      "test_create_connection_validations",
      "create_connection_exc",
    ],
    model: eventsModel,
    request: async () =>
      eventsCall("CreateConnection", {
        Name: "This should fail with two errors 123467890123412341234123412341234",
        AuthorizationType: "INVALID",
        AuthParameters: { BasicAuthParameters: { Username: "user", Password: "pass" } },
      }),
  },
  {
    recording: [
      "events/test_events.snapshot.json",
      "test_put_target_id_validation",
      "put-targets-invalid-id-error",
    ],
    model: eventsModel,
    request: async () =>
      eventsCall("PutTargets", {
        Rule: "rule-1",
        Targets: [{ Id: "!@#$@!#$", Arn: queueArn, InputPath: "$.detail" }],
      }),
  },
  {
    recording: [
      "events/test_events.snapshot.json",
      "test_put_target_id_validation",
      "put-targets-length-error",
    ],
    model: eventsModel,
    request: async () =>
      eventsCall("PutTargets", {
        Rule: "rule-1",
        Targets: [{ Id: longTargetId, Arn: queueArn, InputPath: "$.detail" }],
      }),
    placeholders: [[longTargetId, "second-invalid-target-id"]],
  },
];

function viaSdk(send: () => Promise<unknown>): () => Promise<SentRequest> {
  return () => sentBy(send, sent);
}

function answerFor(model: ServiceModel, request: SentRequest) {
  const [path = "", query = ""] = [request.path, request.query.toString()];
  try {
    readModelRequest(model, {
      method: request.method,
      path,
      query,
      headers: request.headers,
      body: request.body,
    });
  } catch (error) {
    if (isAwsError(error)) return { code: error.code, message: error.message, status: error.status };
    throw error;
  }
  return undefined;
}

describe("validation messages, against AWS's recorded answers", () => {
  for (const c of cases) {
    const [file, test, label] = c.recording;
    it(`${test} / ${label}`, async (context) => {
      skipOrFail("recorded", (note) => context.skip(note));
      const expected = recordedError(file, test, label);
      const answer = answerFor(c.model, await c.request());
      expect(answer).toBeDefined();
      let message = answer?.message ?? "";
      for (const [value, placeholder] of c.placeholders ?? [])
        message = message.replaceAll(value, placeholder);
      expect({ ...answer, message }).toEqual(expected);
    });
  }

  it("covers at least ten recorded refusals across the services", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    expect(new Set(cases.map((c) => c.model.id))).toEqual(
      new Set(["lambda", "logs", "cloudformation", "events"]),
    );
  });
});
