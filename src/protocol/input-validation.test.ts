// The validator's wording for the cases the recordings do not hold (they are checked against AWS's
// own answers in input-validation-conformance.test.ts): several failures at once, nested paths,
// collections judged whole, sensitive values, the ten-failure cap and each service's error code.
import { describe, expect, it } from "vitest";
import { isAwsError } from "./aws-error.js";
import { findValidationErrors, validateInput, validationErrorCode } from "./input-validation.js";
import { eventsModel, lambdaModel, logsModel, ssmModel, stsModel } from "./models/index.js";
import type { ServiceModel } from "./service-model.js";
import { javaDouble, javaText } from "./validation-text.js";

function refusal(model: ServiceModel, operation: string, input: Record<string, unknown>) {
  try {
    validateInput(model, operation, input);
  } catch (error) {
    if (isAwsError(error)) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  return undefined;
}

const role = "arn:aws:iam::111111111111:role/lambda-role";
const code = { ZipFile: Buffer.from("zip") };

describe("validateInput", () => {
  it("accepts an input inside every constraint", () => {
    expect(
      refusal(lambdaModel, "CreateFunction", {
        FunctionName: "fn",
        Role: role,
        Code: code,
        Runtime: "nodejs20.x",
      }),
    ).toBeUndefined();
  });

  it("lists every missing member in model order, counting them", () => {
    expect(refusal(lambdaModel, "CreateFunction", {})).toEqual({
      code: "ValidationException",
      status: 400,
      message:
        "3 validation errors detected: " +
        "Value null at 'functionName' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'role' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'code' failed to satisfy constraint: Member must not be null",
    });
  });

  it("refuses a value far past its length by the length alone, never running its pattern on it", () => {
    // FunctionName's pattern is cheap, but some models' patterns backtrack on long input: a value of
    // megabytes must be judged by its length, or one request could hold the edge for minutes.
    const name = `${"arn:aws:lambda:".repeat(70_000)}!`;
    expect(
      refusal(lambdaModel, "CreateFunction", { FunctionName: name, Role: role, Code: code })?.message,
    ).toMatch(
      /^1 validation error detected: Value '.*' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140$/s,
    );
  });

  it("reports a pattern before a length for the same member", () => {
    const name = `${"x".repeat(140)} y`;
    expect(
      refusal(lambdaModel, "CreateFunction", { FunctionName: name, Role: role, Code: code })?.message,
    ).toBe(
      "2 validation errors detected: " +
        `Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${(lambdaModel.shapes.FunctionName as { pattern: string }).pattern}; ` +
        `Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140`,
    );
  });

  it("names nested members by their lower-camel path, lists by 1-based index and `member`", () => {
    const input = {
      Rule: "r",
      Targets: [{ Id: "ok", Arn: "arn:aws:sqs:us-east-1:111111111111:q" }, { Arn: "a" }],
    };
    expect(refusal(eventsModel, "PutTargets", input)?.message).toBe(
      "1 validation error detected: Value null at 'targets.2.member.id' failed to satisfy constraint: Member must not be null",
    );
    expect(
      refusal(lambdaModel, "CreateFunction", {
        FunctionName: "fn",
        Role: role,
        Code: code,
        SnapStart: { ApplyOn: "Always" },
      })?.message,
    ).toBe(
      "1 validation error detected: Value 'Always' at 'snapStart.applyOn' failed to satisfy constraint: Member must satisfy enum value set: [PublishedVersions, None]",
    );
  });

  it("judges a list of scalars whole, naming every constraint of its members", () => {
    const input = { FunctionName: "fn", Role: role, Code: code, Architectures: ["x86_64", "sparc"] };
    expect(refusal(lambdaModel, "CreateFunction", input)?.message).toBe(
      "2 validation errors detected: " +
        "Value '[x86_64, sparc]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1; " +
        "Value '[x86_64, sparc]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]",
    );
  });

  it("judges a map's keys and values whole, keys first, doubles printed as Java prints them", () => {
    const input = {
      FunctionName: "fn",
      Name: "live",
      FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { abc: 1.5 } },
    };
    const at = "Value '{abc=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint:";
    expect(refusal(lambdaModel, "CreateAlias", input)?.message).toBe(
      "2 validation errors detected: " +
        `${at} Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]; ` +
        `${at} Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]`,
    );
  });

  it("leaves a sensitive value out of the message", () => {
    const input = {
      FunctionName: "fn",
      Role: role,
      Code: code,
      Environment: { Variables: { _SECRET: "v" } },
    };
    expect(refusal(lambdaModel, "CreateFunction", input)?.message).toBe(
      "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
    );
    expect(refusal(ssmModel, "PutParameter", { Name: "/app/x" })?.message).toBe(
      "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must not be null",
    );
  });

  it("prints a list of structures as Java does, with every member of each", () => {
    const transformation = (n: number) => ({ metricName: `m${n}`, metricNamespace: "ns", metricValue: "1" });
    const input = {
      logGroupName: "g",
      filterName: "f",
      filterPattern: "",
      metricTransformations: [transformation(1), transformation(2)],
    };
    expect(refusal(logsModel, "PutMetricFilter", input)).toEqual({
      code: "InvalidParameterException",
      status: 400,
      message:
        "1 validation error detected: Value '[" +
        "MetricTransformation(metricName=m1, metricNamespace=ns, metricValue=1, defaultValue=null, dimensions=null, unit=null), " +
        "MetricTransformation(metricName=m2, metricNamespace=ns, metricValue=1, defaultValue=null, dimensions=null, unit=null)" +
        "]' at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1",
    });
  });

  it("takes an enum's values in any case where AWS does, and still refuses the rest", () => {
    const connection = (HttpMethod: string) => ({
      Name: "c",
      AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
      AuthParameters: {
        OAuthParameters: {
          ClientParameters: { ClientID: "id", ClientSecret: "secret" },
          AuthorizationEndpoint: "https://example.com/token",
          HttpMethod,
        },
      },
    });
    expect(refusal(eventsModel, "CreateConnection", connection("put"))).toBeUndefined();
    expect(refusal(eventsModel, "CreateConnection", connection("PATCH"))?.message).toBe(
      "1 validation error detected: Value 'PATCH' at 'authParameters.oAuthParameters.httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [GET, POST, PUT]",
    );
    // Elsewhere the case matters, as AWS's answers show.
    expect(refusal(eventsModel, "PutRule", { Name: "r", State: "enabled" })?.message).toMatch(
      /Member must satisfy enum value set/,
    );
  });

  it("lists at most ten failures, and says ten", () => {
    const input = { Rule: "r", Targets: Array.from({ length: 12 }, () => ({})) };
    const violations = findValidationErrors(eventsModel, "PutTargets", input);
    expect(violations).toHaveLength(10);
    expect(refusal(eventsModel, "PutTargets", input)?.message).toMatch(/^10 validation errors detected: /);
  });

  it("answers with each service's code: ValidationError over awsQuery, InvalidParameterException for Logs", () => {
    expect(
      refusal(stsModel, "AssumeRole", { RoleArn: role, RoleSessionName: "session", DurationSeconds: 60 }),
    ).toEqual({
      code: "ValidationError",
      status: 400,
      message:
        "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    expect(validationErrorCode(lambdaModel)).toBe("ValidationException");
    expect(validationErrorCode(ssmModel)).toBe("ValidationException");
    expect(validationErrorCode(logsModel)).toBe("InvalidParameterException");
  });

  it("refuses an operation the model does not have", () => {
    expect(() => validateInput(lambdaModel, "Frobnicate", {})).toThrow(/Frobnicate is not supported/);
  });
});

describe("values as Java prints them", () => {
  it("prints doubles with a fraction and an exponent past 10^7", () => {
    expect([1, 0, 0.5, -2, 1e7, 1.5e-5, 123456.789].map(javaDouble)).toEqual([
      "1.0",
      "0.0",
      "0.5",
      "-2.0",
      "1.0E7",
      "1.5E-5",
      "123456.789",
    ]);
  });

  it("prints dates, blobs, booleans and maps", () => {
    expect(javaText(lambdaModel, undefined, new Date(0))).toBe("Thu Jan 01 00:00:00 UTC 1970");
    expect(javaText(lambdaModel, "Blob", Buffer.from("abcd"))).toBe(
      "java.nio.HeapByteBuffer[pos=0 lim=4 cap=4]",
    );
    expect(javaText(lambdaModel, undefined, { a: true, b: null })).toBe("{a=true, b=null}");
  });

  it("prints the members AWS's Java class has beyond the model, as null", () => {
    expect(javaText(eventsModel, "PutEventsRequestEntry", { Source: "s", DetailType: "d" })).toBe(
      "PutEventsRequestEntry(time=null, source=s, resources=null, detailType=d, detail=null, eventBusName=null, traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null)",
    );
  });
});
