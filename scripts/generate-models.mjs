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
import { supplements } from "./model-supplements.mjs";

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
  "enumIgnoresCase",
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
      ? `// Supplemented (see scripts/model-supplements.mjs for the evidence): ${notes.join("; ")}`
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
