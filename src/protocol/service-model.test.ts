import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { patternRegExp } from "./model-pattern.js";
import * as models from "./models/index.js";
import type { ServiceModel } from "./service-model.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const botocoreData = process.env.JEFF_BOTOCORE_DATA || "/usr/lib/python3/dist-packages/awscli/botocore/data";
const all: ServiceModel[] = Object.values(models);

describe("generated service models", () => {
  it("are what scripts/generate-models.mjs writes from the installed awscli", (context) => {
    if (!existsSync(botocoreData)) {
      const note = `model freshness not checked: ${botocoreData} does not exist (Debian's awscli package ships the models; JEFF_BOTOCORE_DATA points elsewhere)`;
      console.warn(note);
      context.skip(note);
    }
    // Throws (exit 1, naming the stale files) when a checked-in file differs.
    execFileSync(process.execPath, ["scripts/generate-models.mjs", "--check"], { cwd: root, stdio: "pipe" });
  });

  it("cover the services Jeff serves and the next ones", () => {
    expect(all.map((m) => `${m.id}:${m.protocol}:${m.signingName}`).sort()).toEqual([
      "cloudformation:awsQuery:cloudformation",
      "cloudtrail:awsJson1_1:cloudtrail",
      "events:awsJson1_1:events",
      "lambda:restJson1:lambda",
      "logs:awsJson1_1:logs",
      "scheduler:restJson1:scheduler",
      "ssm:awsJson1_1:ssm",
      "stepfunctions:awsJson1_0:states",
      "sts:awsQuery:sts",
    ]);
  });

  it("resolve every shape an operation's input reaches", () => {
    const missing: string[] = [];
    for (const model of all) {
      const has = (name: string | undefined, from: string) => {
        if (name !== undefined && !Object.hasOwn(model.shapes, name))
          missing.push(`${model.id}: ${from} → ${name}`);
      };
      for (const [name, op] of Object.entries(model.operations)) has(op.input, name);
      for (const [name, shape] of Object.entries(model.shapes)) {
        if (shape.type === "structure") for (const ref of Object.values(shape.members)) has(ref.shape, name);
        if (shape.type === "list") has(shape.member.shape, name);
        if (shape.type === "map") for (const ref of [shape.key, shape.value]) has(ref.shape, name);
      }
    }
    expect(missing).toEqual([]);
  });

  it("write every pattern in a form JavaScript compiles", () => {
    const broken: string[] = [];
    for (const model of all) {
      for (const [name, shape] of Object.entries(model.shapes)) {
        if (shape.type !== "string" || shape.pattern === undefined) continue;
        try {
          patternRegExp(shape.pattern);
        } catch (error) {
          broken.push(`${model.id}.${name}: ${shape.pattern} (${String(error)})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("keep the HTTP bindings restJson1 routes by", () => {
    expect(models.lambdaModel.operations.Invoke).toMatchObject({
      http: { method: "POST", requestUri: "/2015-03-31/functions/{FunctionName}/invocations" },
      input: "InvocationRequest",
      output: "InvocationResponse",
    });
    expect(models.lambdaModel.shapes.InvocationRequest).toMatchObject({
      payload: "Payload",
      members: {
        InvocationType: {
          shape: "InvocationType",
          location: "header",
          locationName: "X-Amz-Invocation-Type",
        },
        Qualifier: {
          shape: "NumericLatestPublishedOrAliasQualifier",
          location: "querystring",
          locationName: "Qualifier",
        },
      },
    });
    expect(models.stsModel.operations.AssumeRole?.http).toBeUndefined();
  });
});

describe("model patterns", () => {
  it("match the whole value, as Java's String.matches does", () => {
    expect(patternRegExp("([a-zA-Z0-9-_]+)").test("example.com")).toBe(false);
    expect(patternRegExp("([a-zA-Z0-9-_]+)").test("example-com")).toBe(true);
    expect(patternRegExp("lambda:GetLayerVersion").test("xlambda:GetLayerVersion")).toBe(false);
  });

  it("take Java's inline flags and Unicode classes", () => {
    expect(patternRegExp("(?i)all|[0-9]{12}").test("ALL")).toBe(true);
    expect(patternRegExp("(?s).*").test("a\nb")).toBe(true);
    expect(patternRegExp("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$").test("Prod ünïcode-1")).toBe(true);
    expect(patternRegExp("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$").test("a#b")).toBe(false);
  });
});
