// restJson1 requests as the AWS CLI and the SDK put them on the wire, routed and decoded through
// Lambda's model.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetLayerVersionByArnCommand, LambdaClient, ListLayersCommand } from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  awsCliMissing,
  capturingClientConfig,
  type SentRequest,
  sentBy,
  sentByCli,
} from "../../test/fixtures/sent-request.js";
import { isAwsError } from "./aws-error.js";
import { decodeModelRequest } from "./model-request.js";
import { lambdaModel, schedulerModel } from "./models/index.js";
import { decodeRestJsonInput, encodeRestJsonRequest, matchModelRoute } from "./rest-json-input.js";
import type { ServiceModel } from "./service-model.js";

function decode(request: SentRequest, model: ServiceModel = lambdaModel) {
  return decodeModelRequest(model, { ...request, query: request.query.toString() });
}

const role = "arn:aws:iam::111111111111:role/lambda-role";
const scratch = mkdtempSync(join(tmpdir(), "jeff-rest-json-"));

describe("requests the AWS CLI sends", () => {
  it.skipIf(awsCliMissing)(
    "Invoke: the name from the path, Qualifier from the query, a header, the raw payload",
    async () => {
      const request = await sentByCli([
        "lambda",
        "invoke",
        "--function-name",
        "my-function",
        "--qualifier",
        "live",
        "--invocation-type",
        "Event",
        "--cli-binary-format",
        "raw-in-base64-out",
        "--payload",
        '{"order": 7}',
        join(scratch, "out.json"),
      ]);
      expect(decode(request)).toEqual({
        operation: "Invoke",
        input: {
          FunctionName: "my-function",
          Qualifier: "live",
          InvocationType: "Event",
          Payload: Buffer.from('{"order": 7}'),
        },
      });
    },
  );

  it.skipIf(awsCliMissing)("ListFunctions: MaxItems as an integer and Marker from the query", async () => {
    const token = Buffer.from(JSON.stringify({ Marker: "page-2" })).toString("base64");
    const request = await sentByCli(
      [
        "lambda",
        "list-functions",
        "--page-size",
        "5",
        "--starting-token",
        token,
        "--function-version",
        "ALL",
      ],
      { Functions: [] },
    );
    expect(decode(request)).toEqual({
      operation: "ListFunctions",
      input: { MaxItems: 5, Marker: "page-2", FunctionVersion: "ALL" },
    });
  });

  it.skipIf(awsCliMissing)(
    "CreateFunction: the JSON body with the zip as bytes, numbers and maps typed",
    async () => {
      const zip = Buffer.from(
        zipSync({ "index.mjs": new TextEncoder().encode("export const handler = () => 1;") }),
      );
      writeFileSync(join(scratch, "code.zip"), zip);
      const request = await sentByCli(
        [
          "lambda",
          "create-function",
          "--function-name",
          "orders",
          "--runtime",
          "nodejs20.x",
          "--role",
          role,
          "--handler",
          "index.handler",
          "--zip-file",
          `fileb://${join(scratch, "code.zip")}`,
          "--timeout",
          "30",
          "--memory-size",
          "256",
          "--environment",
          "Variables={STAGE=prod}",
          "--architectures",
          "arm64",
          "--tags",
          "team=payments",
        ],
        { FunctionName: "orders" },
        201,
      );
      expect(decode(request)).toEqual({
        operation: "CreateFunction",
        input: {
          FunctionName: "orders",
          Runtime: "nodejs20.x",
          Role: role,
          Handler: "index.handler",
          Code: { ZipFile: zip },
          Timeout: 30,
          MemorySize: 256,
          Environment: { Variables: { STAGE: "prod" } },
          Architectures: ["arm64"],
          Tags: { team: "payments" },
        },
      });
    },
  );
});

describe("routes from the model's request URIs", () => {
  const sent: SentRequest[] = [];
  const lambda = new LambdaClient(capturingClientConfig(sent));
  const layerArn = "arn:aws:lambda:us-east-1:111111111111:layer:shared:3";

  it("tells GetLayerVersionByArn (`/layers?find=LayerVersion`) from ListLayers (`/layers`)", async () => {
    const byArn = await sentBy(() => lambda.send(new GetLayerVersionByArnCommand({ Arn: layerArn })), sent);
    expect(decode(byArn)).toEqual({ operation: "GetLayerVersionByArn", input: { Arn: layerArn } });
    const list = await sentBy(
      () => lambda.send(new ListLayersCommand({ CompatibleRuntime: "python3.12" })),
      sent,
    );
    expect(decode(list)).toEqual({ operation: "ListLayers", input: { CompatibleRuntime: "python3.12" } });
  });

  it("decodes percent-encoded labels, so a function ARN arrives whole", () => {
    const arn = "arn:aws:lambda:us-east-1:111111111111:function:orders";
    const match = matchModelRoute(
      lambdaModel,
      "GET",
      `/2015-03-31/functions/${encodeURIComponent(arn)}`,
      new URLSearchParams(),
    );
    expect(match).toEqual({ operation: "GetFunction", pathParams: { FunctionName: arn } });
  });

  it("answers UnknownOperationException (404) for a path no operation has", () => {
    const request = {
      method: "GET",
      path: "/2015-03-31/nothing",
      query: "",
      headers: {},
      body: Buffer.alloc(0),
    };
    const error = (() => {
      try {
        decodeModelRequest(lambdaModel, request);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isAwsError(error) && [error.code, error.status]).toEqual(["UnknownOperationException", 404]);
  });

  it("routes every restJson1 operation of the models to itself", () => {
    for (const model of [lambdaModel, schedulerModel]) {
      for (const [operation, op] of Object.entries(model.operations)) {
        const http = op.http!;
        const [path = "", query = ""] = http.requestUri.replace(/\{[^}]+\}/g, "x").split("?");
        expect(matchModelRoute(model, http.method, path, new URLSearchParams(query))?.operation).toBe(
          operation,
        );
      }
    }
  });
});

describe("decodeRestJsonInput", () => {
  const parts = { pathParams: {}, query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0) };

  it("reads a number from a label", () => {
    const input = decodeRestJsonInput(lambdaModel, "DeleteLayerVersion", {
      ...parts,
      pathParams: { LayerName: "shared", VersionNumber: "3" },
    });
    expect(input).toEqual({ LayerName: "shared", VersionNumber: 3 });
  });

  it("refuses text that is not the member's type with a SerializationException", () => {
    expect(() =>
      decodeRestJsonInput(lambdaModel, "ListFunctions", {
        ...parts,
        query: new URLSearchParams("MaxItems=many"),
      }),
    ).toThrow(expect.objectContaining({ code: "SerializationException" }));
  });
});

describe("requests Jeff makes for its own callers", () => {
  // A stack's resource calls Lambda's routes with the request a client would send for its input:
  // decoding that request gives the input back, whatever each member's place on the wire.
  it.each([
    [
      "CreateFunction",
      {
        FunctionName: "made",
        Role: role,
        Runtime: "python3.12",
        Handler: "index.handler",
        Timeout: 9,
        Code: { ZipFile: Buffer.from(zipSync({ "index.py": new Uint8Array([1, 2, 3]) })) },
        Tags: { team: "core" },
      },
    ],
    ["ListFunctions", { FunctionVersion: "ALL", MaxItems: 5 }],
    [
      "AddPermission",
      {
        FunctionName: "made",
        StatementId: "s",
        Action: "lambda:InvokeFunction",
        Principal: "events.amazonaws.com",
        Qualifier: "live",
      },
    ],
    ["Invoke", { FunctionName: "made", InvocationType: "Event", Payload: Buffer.from('{"a":1}') }],
    [
      "UntagResource",
      { Resource: "arn:aws:lambda:us-east-1:111111111111:function:made", TagKeys: ["a", "b"] },
    ],
  ])("%s: the request decodes to the input it was made from", (operation, input) => {
    const request = encodeRestJsonRequest(lambdaModel, operation, input);
    expect(request.method).toBe(lambdaModel.operations[operation]!.http!.method);
    expect(decodeRestJsonInput(lambdaModel, operation, request)).toEqual(input);
  });

  it.each([
    ["PublishVersion", lambdaModel, { FunctionName: "made", CodeSha256: "abc=", Description: "v" }],
    [
      "CreateSchedule",
      schedulerModel,
      {
        Name: "nightly",
        ScheduleExpression: "rate(1 day)",
        FlexibleTimeWindow: { Mode: "OFF" },
        StartDate: new Date("2030-01-02T03:04:05Z"),
        Target: { Arn: "arn:aws:lambda:us-east-1:111111111111:function:made", RoleArn: role },
      },
    ],
    ["ListSchedules", schedulerModel, { GroupName: "default", NamePrefix: "n", MaxResults: 10 }],
  ])("%s: the request decodes to the input it was made from", (operation, model, input) => {
    expect(decodeRestJsonInput(model, operation, encodeRestJsonRequest(model, operation, input))).toEqual(
      input,
    );
  });

  it("binds timestamps, blobs, JSON values and maps where the model puts them", () => {
    const model: ServiceModel = {
      ...lambdaModel,
      id: "toy",
      operations: {
        Op: { http: { method: "PUT", requestUri: "/things/{When}" }, input: "OpInput", errors: [] },
      },
      shapes: {
        OpInput: {
          type: "structure",
          members: {
            When: { shape: "Time", location: "uri", locationName: "When" },
            Since: { shape: "Time", location: "header", locationName: "X-Since" },
            Epoch: {
              shape: "Time",
              location: "querystring",
              locationName: "epoch",
              timestampFormat: "unixTimestamp",
            },
            Token: { shape: "Bytes", location: "header", locationName: "X-Token" },
            Context: { shape: "Text", location: "header", locationName: "X-Context", jsonvalue: true },
            Extra: { shape: "Params", location: "querystring" },
            Meta: { shape: "Params", location: "headers", locationName: "x-meta-" },
          },
        },
        Time: { type: "timestamp" },
        Bytes: { type: "blob" },
        Text: { type: "string" },
        Params: { type: "map", key: { shape: "Text" }, value: { shape: "Text" } },
      },
    } as unknown as ServiceModel;
    const input = {
      When: new Date("2030-01-02T03:04:05Z"),
      Since: new Date("2030-01-02T03:04:05Z"),
      Epoch: new Date("2030-01-02T03:04:05Z"),
      Token: Buffer.from([0, 1, 2, 250]),
      Context: { a: [1, 2] },
      Extra: { colour: "blue" },
      Meta: { owner: "ada" },
    };
    const request = encodeRestJsonRequest(model, "Op", input);
    expect(request.headers).toMatchObject({
      "x-since": "Wed, 02 Jan 2030 03:04:05 GMT",
      "x-meta-owner": "ada",
    });
    expect(request.query.get("epoch")).toBe(String(Date.UTC(2030, 0, 2, 3, 4, 5) / 1000));
    expect(decodeRestJsonInput(model, "Op", request)).toEqual(input);
  });

  it("refuses a member the operation does not have, naming it", () => {
    expect(() => encodeRestJsonRequest(lambdaModel, "GetFunction", { FunctionName: "f", Bogus: 1 })).toThrow(
      /GetFunction has no member Bogus/,
    );
  });
});
