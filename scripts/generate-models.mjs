#!/usr/bin/env node
// Generates src/protocol/models/<service>.ts from AWS's own service models, the botocore JSON that
// Debian's awscli package ships. Each file holds, for every operation, its protocol binding, input
// shape, output shape name and error names, and every shape reachable from an input with the
// constraints AWS validates against (min, max, pattern, enum, required) and the HTTP bindings a
// decoder needs. Documentation and output shapes are left out.
//
//   npm run generate:models            write the files
//   npm run generate:models -- --check fail if a checked-in file differs from what would be written
//
// JEFF_BOTOCORE_DATA overrides where the models are read from.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const awscliDir = "/usr/lib/python3/dist-packages/awscli";
const dataDir = process.env.JEFF_BOTOCORE_DATA || join(awscliDir, "botocore", "data");
const outDir = fileURLToPath(new URL("../src/protocol/models/", import.meta.url));

/** The services Jeff serves now, then the next ones, by botocore's folder name. */
const services = [
  "lambda",
  "sts",
  "cloudformation",
  "ssm",
  "logs",
  "cloudtrail",
  "events",
  "scheduler",
  "stepfunctions",
];

/**
 * Where AWS's answers today differ from the early-2023 models Debian ships, the answer wins. Each
 * entry names its evidence. Per service: `shapes` changes the constraints of a shape the model has
 * (`appendEnum` adds values to its enum); `newShapes` adds a shape AWS's later models declare;
 * `members` ("Operation.Member": shape) checks an operation's member against another shape, where
 * AWS now validates it so; `newOperations` adds an operation AWS added since, as its later model
 * declares it. Never a new member of an operation the model has.
 */
const supplements = {
  cloudformation: {
    shapes: {
      // AWS documents TemplateBody as 1 to 51,200 bytes and answers CreateStack with "Member must
      // have length less than or equal to 51200" (recorded: test_template_engine,
      // test_to_validate_template_limit_for_macro); the 2023 model has only the minimum.
      TemplateBody: { max: 51200 },
    },
  },
  lambda: {
    shapes: {
      // Runtimes AWS added after the model was cut (docs: lambda/latest/dg/lambda-runtimes.html);
      // without them the model would refuse nodejs20.x, which Jeff runs.
      Runtime: {
        appendEnum: [
          "nodejs20.x",
          "nodejs22.x",
          "nodejs24.x",
          "python3.10",
          "python3.11",
          "python3.12",
          "python3.13",
          "python3.14",
          "java17",
          "java21",
          "java25",
          "dotnet8",
          "dotnet10",
          "ruby3.2",
          "ruby3.3",
          "ruby3.4",
          "provided.al2023",
        ],
      },
      // Function names: AWS's answers of November 2025 quote these patterns (recorded:
      // test_function_name_and_qualifier_validation, CreateFunction with FunctionName; GetFunction,
      // DeleteFunction and Invoke with NamespacedFunctionName), which botocore's model publishes
      // from 2026-06 (boto/botocore 77e35af7c). A namespaced name may be 256 characters long: AWS
      // checks a 233-character ARN against the pattern only.
      FunctionName: {
        pattern:
          "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
      },
      NamespacedFunctionName: {
        max: 256,
        pattern:
          "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
      },
    },
    newShapes: {
      // GetFunctionRecursionConfig and PutFunctionRecursionConfig (below), as botocore's model
      // declares them since 2024-08; the enum in the order AWS's answer lists it ("Member must
      // satisfy enum value set: [Terminate, Allow]", recorded: TestLambdaRecursion).
      UnqualifiedFunctionName: {
        type: "string",
        min: 1,
        max: 140,
        pattern:
          "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)",
      },
      RecursiveLoop: { type: "string", enum: ["Terminate", "Allow"] },
      GetFunctionRecursionConfigRequest: {
        type: "structure",
        required: ["FunctionName"],
        members: {
          FunctionName: { shape: "UnqualifiedFunctionName", location: "uri", locationName: "FunctionName" },
        },
      },
      PutFunctionRecursionConfigRequest: {
        type: "structure",
        required: ["FunctionName", "RecursiveLoop"],
        members: {
          FunctionName: { shape: "UnqualifiedFunctionName", location: "uri", locationName: "FunctionName" },
          RecursiveLoop: { shape: "RecursiveLoop" },
        },
      },
      // The Qualifier of the calls on a function's version or alias, as AWS's answers quote it
      // (recorded: test_permission_exceptions, AddPermission) and botocore's model declares it
      // since 2025-12 (boto/botocore c18b100b8).
      NumericLatestPublishedOrAliasQualifier: {
        type: "string",
        min: 1,
        max: 128,
        pattern: "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
      },
    },
    newOperations: {
      GetFunctionRecursionConfig: {
        http: {
          method: "GET",
          requestUri: "/2024-08-31/functions/{FunctionName}/recursion-config",
          responseCode: 200,
        },
        input: { shape: "GetFunctionRecursionConfigRequest" },
        output: { shape: "GetFunctionRecursionConfigResponse" },
        errors: [
          "InvalidParameterValueException",
          "ServiceException",
          "TooManyRequestsException",
          "ResourceNotFoundException",
        ].map((shape) => ({ shape })),
      },
      PutFunctionRecursionConfig: {
        http: {
          method: "PUT",
          requestUri: "/2024-08-31/functions/{FunctionName}/recursion-config",
          responseCode: 200,
        },
        input: { shape: "PutFunctionRecursionConfigRequest" },
        output: { shape: "PutFunctionRecursionConfigResponse" },
        errors: [
          "InvalidParameterValueException",
          "ResourceConflictException",
          "ServiceException",
          "TooManyRequestsException",
          "ResourceNotFoundException",
        ].map((shape) => ({ shape })),
      },
    },
    // Which calls check FunctionName as a namespaced name and Qualifier as above: AWS's answers
    // quote those patterns for DeleteFunction (recorded: test_function_name_and_qualifier_validation)
    // and AddPermission (test_permission_exceptions); the rest as botocore's model of 2026-07 binds
    // them (boto/botocore 7831fa13c).
    members: Object.fromEntries([
      ...[
        "AddPermission",
        "CreateEventSourceMapping",
        "DeleteFunction",
        "DeleteFunctionCodeSigningConfig",
        "DeleteFunctionEventInvokeConfig",
        "GetFunctionCodeSigningConfig",
        "GetFunctionEventInvokeConfig",
        "GetRuntimeManagementConfig",
        "ListEventSourceMappings",
        "ListFunctionEventInvokeConfigs",
        "PutFunctionCodeSigningConfig",
        "PutFunctionEventInvokeConfig",
        "PutRuntimeManagementConfig",
        "RemovePermission",
        "UpdateEventSourceMapping",
        "UpdateFunctionEventInvokeConfig",
      ].map((op) => [`${op}.FunctionName`, "NamespacedFunctionName"]),
      ...[
        "AddPermission",
        "DeleteFunction",
        "DeleteFunctionEventInvokeConfig",
        "GetFunction",
        "GetFunctionConfiguration",
        "GetFunctionEventInvokeConfig",
        "GetPolicy",
        "GetRuntimeManagementConfig",
        "Invoke",
        "PutFunctionEventInvokeConfig",
        "PutRuntimeManagementConfig",
        "RemovePermission",
        "UpdateFunctionEventInvokeConfig",
      ].map((op) => [`${op}.Qualifier`, "NumericLatestPublishedOrAliasQualifier"]),
    ]),
  },
};

const protocols = {
  "rest-json": () => "restJson1",
  json: (metadata) => (metadata.jsonVersion === "1.0" ? "awsJson1_0" : "awsJson1_1"),
  query: () => "awsQuery",
};

/** Shape keys a validator or decoder reads; everything else (documentation, box, …) is dropped. */
const shapeKeys = [
  "type",
  "min",
  "max",
  "pattern",
  "enum",
  "required",
  "payload",
  "timestampFormat",
  "flattened",
  "sensitive",
];
const refKeys = [
  "shape",
  "location",
  "locationName",
  "jsonvalue",
  "timestampFormat",
  "flattened",
  "queryName",
];

function pick(object, keys) {
  const out = {};
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key];
  return out;
}

function modelPath(service) {
  const dir = join(dataDir, service);
  const versions = readdirSync(dir).sort();
  const version = versions.at(-1);
  return { file: join(dir, version, "service-2.json"), relative: `${service}/${version}/service-2.json` };
}

function awscliVersion() {
  const init = join(awscliDir, "__init__.py");
  if (!existsSync(init)) return "unknown";
  return /__version__\s*=\s*'([^']+)'/.exec(readFileSync(init, "utf8"))?.[1] ?? "unknown";
}

function applySupplements(service, model) {
  const {
    shapes: changes = {},
    newShapes = {},
    members = {},
    newOperations = {},
  } = supplements[service] ?? {};
  const { shapes } = model;
  const notes = [];
  for (const [name, change] of Object.entries(changes)) {
    const shape = shapes[name];
    if (!shape) throw new Error(`supplement for ${service} names a shape the model lacks: ${name}`);
    const { appendEnum, ...constraints } = change;
    Object.assign(shape, constraints);
    if (appendEnum) shape.enum = [...shape.enum, ...appendEnum.filter((v) => !shape.enum.includes(v))];
    notes.push(`${name} (${Object.keys(change).join(", ")})`);
  }
  for (const [name, shape] of Object.entries(newShapes)) {
    if (shapes[name]) throw new Error(`supplement for ${service} adds a shape the model has: ${name}`);
    shapes[name] = shape;
    notes.push(`${name} (new)`);
  }
  for (const [path, shapeName] of Object.entries(members)) {
    const [operation, member] = path.split(".");
    const input = model.operations[operation]?.input?.shape;
    const ref = input ? shapes[input].members?.[member] : undefined;
    if (!ref) throw new Error(`supplement for ${service} names a member the model lacks: ${path}`);
    if (!shapes[shapeName]) throw new Error(`supplement for ${service} names no shape: ${shapeName}`);
    ref.shape = shapeName;
  }
  if (Object.keys(members).length > 0) notes.push(`${Object.keys(members).length} members rebound`);
  for (const [name, operation] of Object.entries(newOperations)) {
    if (model.operations[name])
      throw new Error(`supplement for ${service} adds an operation the model has: ${name}`);
    if (!shapes[operation.input.shape])
      throw new Error(`supplement for ${service}: ${name} has no input shape`);
    model.operations[name] = { name, ...operation };
    notes.push(`${name} (new operation)`);
  }
  return notes;
}

function compactShape(shape) {
  const out = pick(shape, shapeKeys);
  if (shape.members) {
    out.members = Object.fromEntries(
      Object.entries(shape.members).map(([name, ref]) => [name, pick(ref, refKeys)]),
    );
  }
  for (const key of ["member", "key", "value"]) if (shape[key]) out[key] = pick(shape[key], refKeys);
  return out;
}

function renderService(service) {
  const { file, relative } = modelPath(service);
  const raw = readFileSync(file);
  const model = JSON.parse(raw.toString("utf8"));
  const { metadata } = model;
  const notes = applySupplements(service, model);
  const toProtocol = protocols[metadata.protocol];
  if (!toProtocol) throw new Error(`${service}: unsupported protocol ${metadata.protocol}`);
  const protocol = toProtocol(metadata);

  const reachable = new Set();
  const visit = (name) => {
    if (reachable.has(name)) return;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`${service}: missing shape ${name}`);
    reachable.add(name);
    for (const ref of Object.values(shape.members ?? {})) visit(ref.shape);
    for (const key of ["member", "key", "value"]) if (shape[key]) visit(shape[key].shape);
  };

  const operations = Object.keys(model.operations)
    .sort()
    .map((name) => {
      const op = model.operations[name];
      if (op.input) visit(op.input.shape);
      const out = {};
      if (protocol === "restJson1") out.http = pick(op.http, ["method", "requestUri", "responseCode"]);
      if (op.input) out.input = op.input.shape;
      if (op.output) out.output = op.output.shape;
      out.errors = (op.errors ?? []).map((e) => e.shape);
      return [name, out];
    });
  const shapes = [...reachable].sort().map((name) => [name, compactShape(model.shapes[name])]);
  // Each modeled error's members, which its body carries under those names (`Message` or `message`).
  const errorShapes = Object.entries(model.shapes)
    .filter(([, shape]) => shape.exception)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, shape]) => [name, Object.keys(shape.members ?? {})]);

  const header = {
    id: service,
    uid: metadata.uid,
    apiVersion: metadata.apiVersion,
    protocol,
    signingName: metadata.signingName ?? metadata.endpointPrefix,
    ...(metadata.targetPrefix ? { targetPrefix: metadata.targetPrefix } : {}),
    ...(metadata.xmlNamespace ? { xmlNamespace: metadata.xmlNamespace } : {}),
  };
  const entries = (pairs) =>
    pairs.map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},`).join("\n");
  const sha = createHash("sha256").update(raw).digest("hex");
  return [
    "// Generated by scripts/generate-models.mjs; do not edit. Regenerate: npm run generate:models",
    `// Source: botocore/data/${relative} from awscli ${awscliVersion()} (sha256 ${sha.slice(0, 16)})`,
    `// Model: uid ${metadata.uid}, apiVersion ${metadata.apiVersion}`,
    notes.length > 0
      ? `// Supplemented (see the generator for the evidence): ${notes.join("; ")}`
      : undefined,
    'import type { ServiceModel } from "../service-model.js";',
    "",
    `export const ${variableName(service)}: ServiceModel = {`,
    ...Object.entries(header).map(([k, v]) => `  ${k}: ${JSON.stringify(v)},`),
    "  operations: {",
    entries(operations),
    "  },",
    "  shapes: {",
    entries(shapes),
    "  },",
    "  errorShapes: {",
    entries(errorShapes),
    "  },",
    "};",
    "",
  ]
    .filter((line) => line !== undefined)
    .join("\n");
}

function variableName(service) {
  return `${service}Model`;
}

function renderIndex() {
  return [
    "// Generated by scripts/generate-models.mjs; do not edit. Regenerate: npm run generate:models",
    "// AWS's service models, one file per service: what validation and decoding need, nothing more.",
    "",
    ...[...services].sort().map((s) => `export { ${variableName(s)} } from "./${s}.js";`),
    "",
  ].join("\n");
}

function main() {
  const check = process.argv.includes("--check");
  if (!existsSync(dataDir)) {
    console.error(`generate-models: ${dataDir} does not exist (install awscli, or set JEFF_BOTOCORE_DATA)`);
    process.exit(2);
  }
  const files = [...services.map((s) => [`${s}.ts`, renderService(s)]), ["index.ts", renderIndex()]];
  const stale = [];
  const written = [];
  if (!check) mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) {
    const path = join(outDir, name);
    const current = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (current === text) continue;
    if (check) stale.push(name);
    else {
      writeFileSync(path, text);
      written.push(name);
    }
  }
  if (check && stale.length > 0) {
    console.error(`generate-models: out of date: ${stale.join(", ")} (run npm run generate:models)`);
    process.exit(1);
  }
  if (!check) {
    const sizes = files.map(([name, text]) => `${name} ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`);
    console.log(`generate-models: ${written.length} of ${files.length} files changed; ${sizes.join(", ")}`);
  }
}

main();
