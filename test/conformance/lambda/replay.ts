/**
 * Replaying AWS's recorded Lambda tests against Jeff. Each recorded test (a key of
 * recorded/lambda/<file>.snapshot.json) was made by a test of localstack/localstack at 8b9a79f0,
 * tests/aws/services/lambda_/<file>.py; a case here makes the same calls, through the AWS SDK v3,
 * and hands each answer to `match` under the label the test used. The answers are shaped as
 * botocore (the recording's client) shaped them, so they compare key for key:
 *
 * - a success is the output's members plus `ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode }`;
 *   an Invoke's `Payload` is its text;
 * - a failure is `{ Error: { Code, Message }, …the error shape's members in the body,
 *   ResponseMetadata }`, read off the raw response as botocore reads it.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  type FilteredLogEvent,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  DeleteFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import type { JeffProcess } from "../../integration/jeff-process.js";
import { escapeRegExp, type Replacement } from "../snapshot-match.js";
import type { ReplayedFile } from "./scope.js";

const botocoreLambda = "/usr/lib/python3/dist-packages/awscli/botocore/data/lambda/2015-03-31/service-2.json";

interface ErrorShapes {
  readonly [code: string]: readonly string[];
}

let errorMembers: ErrorShapes | undefined;

/** Each Lambda error's members, from AWS's own model (botocore's, shipped with awscli). */
function lambdaErrorMembers(): ErrorShapes {
  if (errorMembers) return errorMembers;
  const model = JSON.parse(readFileSync(botocoreLambda, "utf8")) as {
    shapes: Record<string, { exception?: boolean; members?: Record<string, unknown> }>;
  };
  const out: Record<string, string[]> = {};
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.exception) out[name] = Object.keys(shape.members ?? {});
  }
  errorMembers = out;
  return out;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}

/** Any AWS SDK v3 client: what this file needs of one. */
interface SdkClient {
  readonly middlewareStack: Pick<LambdaClient["middlewareStack"], "add">;
}

/** A botocore-shaped answer: a dictionary of the response's members. */
export type Answer = Record<string, unknown>;

export interface CreateOptions extends Partial<Omit<CreateFunctionCommandInput, "FunctionName">> {
  /** The function's name (the fixture's `func_name`). */
  readonly funcName: string;
  /** The files of the package, by path. */
  readonly files?: Record<string, string>;
}

/** What a case has while it runs: a client for Jeff and the fixtures LocalStack's tests use. */
export class Replay {
  readonly lambda: LambdaClient;
  readonly matched = new Map<string, unknown>();
  readonly replacements: Replacement[] = [];
  private raw: RawResponse | undefined;
  private logsClient: CloudWatchLogsClient | undefined;
  private readonly cleanups: Array<() => Promise<unknown>> = [];

  constructor(readonly jeff: Pick<JeffProcess, "url" | "region" | "credentials" | "accountId">) {
    this.lambda = this.client(LambdaClient);
  }

  get accountId(): string {
    return this.jeff.accountId;
  }

  get region(): string {
    return this.jeff.region;
  }

  /** The fixture `lambda_su_role`: a role ARN in the caller's account. */
  get role(): string {
    return `arn:aws:iam::${this.accountId}:role/lambda-test-role`;
  }

  /** An SDK client of any service for Jeff, whose raw answers this replay reads. */
  client<C extends SdkClient>(Client: new (config: ClientConfig) => C, region = this.region): C {
    const client = new Client({
      endpoint: this.jeff.url,
      region,
      credentials: this.jeff.credentials,
      maxAttempts: 1,
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const response = result.response as {
          statusCode: number;
          headers: Record<string, string>;
          body: unknown;
        };
        const chunks: Buffer[] = [];
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
        const body = Buffer.concat(chunks);
        this.raw = { status: response.statusCode, headers: response.headers, body };
        response.body = Readable.from([body]);
        return result;
      },
      { step: "deserialize", priority: "low", name: "replayRawResponse" },
    );
    return client;
  }

  /**
   * Records an answer under the label the recorded test gave it. As LocalStack's snapshot did
   * before comparing, every string of an object (or of an object in a list) that starts with `{`
   * and parses as JSON is replaced by what it parses to; other strings (`"null"`, `"[1]"`, a
   * quoted string) stay text.
   */
  match(label: string, value: unknown): void {
    if (this.matched.has(label)) throw new Error(`label ${label} matched twice`);
    this.matched.set(label, parseJsonObjects({ [label]: value })[label]);
  }

  /** LocalStack's `snapshot.transform.key_value(key, replacement)`. */
  keyValue(key: string, replacement: string): void {
    this.replacements.push({ key, replacement });
  }

  /** LocalStack's `snapshot.transform.regex(pattern, replacement)`. */
  regex(pattern: string | RegExp, replacement: string): void {
    const source = typeof pattern === "string" ? escapeRegExp(pattern) : pattern.source;
    this.replacements.push({ pattern: new RegExp(source, "g"), replacement });
  }

  /** The call's answer as botocore gives it; a failure fails the case. */
  async ok(call: Promise<object>): Promise<Answer> {
    const output = (await call) as Record<string, unknown> & { $metadata: { httpStatusCode?: number } };
    const out: Answer = {};
    for (const [key, value] of Object.entries(output)) {
      if (key === "$metadata" || value === undefined) continue;
      out[key] = key === "Payload" ? payload(value) : value;
    }
    out.ResponseMetadata = { HTTPHeaders: {}, HTTPStatusCode: output.$metadata.httpStatusCode };
    return out;
  }

  /** The error the call fails with, as botocore's `ClientError.response`; a success fails the case. */
  async fails(call: Promise<unknown>): Promise<Answer> {
    try {
      await call;
    } catch (error) {
      const raw = this.raw;
      if (!raw || !(error as { $metadata?: unknown }).$metadata) throw error;
      return botocoreError(raw);
    }
    throw new Error("expected the call to fail, and it succeeded");
  }

  /** Either answer: the success's or the failure's. */
  async answer(call: Promise<object>): Promise<Answer> {
    try {
      return await this.ok(call);
    } catch (error) {
      if (!this.raw || !(error as { $metadata?: unknown }).$metadata) throw error;
      return botocoreError(this.raw);
    }
  }

  /**
   * The fixture `create_lambda_function`: creates the function (Python 3.12, `handler.handler`,
   * a 30 s timeout, empty environment and tags unless given), waits until it is no longer
   * `Pending`, deletes it after the case, and answers as the fixture does.
   */
  async createFunction(options: CreateOptions): Promise<Answer> {
    const { funcName, files, ...rest } = options;
    const runtime = rest.Runtime ?? "python3.12";
    const input: CreateFunctionCommandInput = {
      FunctionName: funcName,
      Runtime: runtime,
      Handler: "handler.handler",
      Role: this.role,
      Code: { ZipFile: zip(files ?? { [defaultFile(runtime)]: echoSource(runtime) }) },
      Timeout: 30,
      Environment: { Variables: {} },
      Tags: {},
      ...rest,
    };
    const created = await this.ok(this.lambda.send(new CreateFunctionCommand(input)));
    this.afterwards(() => this.lambda.send(new DeleteFunctionCommand({ FunctionName: funcName })));
    this.afterwards(() =>
      this.logs.send(new DeleteLogGroupCommand({ logGroupName: `/aws/lambda/${funcName}` })),
    );
    await this.waitUntil(funcName, (c) => c.State !== "Pending");
    return { CreateFunctionResponse: created, CreateEventSourceMappingResponse: null };
  }

  /**
   * The fixture `create_lambda_function_aws`: CreateFunction with exactly `input`, waits until
   * the function is no longer `Pending`, deletes it after the case; answers CreateFunction's answer.
   */
  async createFunctionAws(input: CreateFunctionCommandInput): Promise<Answer> {
    const created = await this.ok(this.lambda.send(new CreateFunctionCommand(input)));
    this.afterwards(() => this.lambda.send(new DeleteFunctionCommand({ FunctionName: input.FunctionName })));
    await this.waitUntil(input.FunctionName!, (c) => c.State !== "Pending");
    return created;
  }

  /** A CloudWatch Logs client for Jeff (made on first use). */
  get logs(): CloudWatchLogsClient {
    this.logsClient ??= this.client(CloudWatchLogsClient);
    return this.logsClient;
  }

  /**
   * The function's log events (FilterLogEvents on `/aws/lambda/NAME`, every page) once `done`
   * holds for them, as the tests' `retry(fetch_logs)` and the fixture `check_lambda_logs` wait.
   */
  async logEvents(
    functionName: string,
    done: (events: FilteredLogEvent[]) => boolean,
    deadlineMs = 60_000,
  ): Promise<FilteredLogEvent[]> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const events: FilteredLogEvent[] = [];
      try {
        let nextToken: string | undefined;
        do {
          const page = await this.logs.send(
            new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, nextToken }),
          );
          events.push(...(page.events ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
      } catch (error) {
        if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
      }
      if (done(events)) return events;
      if (Date.now() > deadline)
        throw new Error(`the logs of ${functionName} never showed what was waited for`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Waits until the function's configuration satisfies `done` (LocalStack's waiters). */
  async waitUntil(
    name: string,
    done: (configuration: Record<string, unknown>) => boolean,
    qualifier?: string,
  ): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const got = await this.lambda.send(
        new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }),
      );
      if (done(got.Configuration as Record<string, unknown>)) return;
      if (Date.now() > deadline) throw new Error(`${name} never reached the state waited for`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** `waiter("function_active_v2")`. */
  waitActive(name: string, qualifier?: string): Promise<void> {
    return this.waitUntil(name, (c) => c.State === "Active", qualifier);
  }

  /** `waiter("function_updated_v2")`. */
  waitUpdated(name: string, qualifier?: string): Promise<void> {
    return this.waitUntil(name, (c) => c.LastUpdateStatus === "Successful", qualifier);
  }

  /** Something to undo after the case, as a fixture's teardown does; failures are ignored. */
  afterwards(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup);
  }

  async cleanUp(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  }
}

/**
 * Each test file's autouse `fixture_snapshot`: the transformers every test of the file starts
 * with. (`lambda_api()` only replaces values by placeholders the matcher already stands for; a
 * `key_value` without a reference replaces the value by a fixed word, which must be applied.)
 */
export function fileFixture(file: ReplayedFile, r: Replay): void {
  if (file === "test_lambda") r.keyValue("CodeSha256", "code-sha256");
}

/** botocore's reading of a restJson1 error (RestJSONParser, then the modeled error's members). */
function botocoreError(raw: RawResponse): Answer {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(raw.body.toString("utf8")) as Record<string, unknown>;
  } catch {
    // botocore reads an unparsable body as empty.
  }
  const header = raw.headers["x-amzn-errortype"];
  let code =
    header ?? (body.__type as string | undefined) ?? (body.code as string | undefined) ?? String(raw.status);
  code = code.split(":")[0]!;
  if (code.includes("#")) code = code.slice(code.lastIndexOf("#") + 1);
  const message = (body.message ?? body.Message ?? "") as string;
  const out: Answer = { Error: { Code: code, Message: message } };
  for (const member of lambdaErrorMembers()[code] ?? []) {
    if (body[member] !== undefined) out[member] = body[member];
  }
  out.ResponseMetadata = { HTTPHeaders: {}, HTTPStatusCode: raw.status };
  return out;
}

/** An Invoke's payload as botocore reads its stream: text, `""` for an empty body (the SDK's null). */
function payload(value: unknown): unknown {
  if (value === null) return "";
  return value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : value;
}

/** localstack_snapshot's `_transform_dict_to_parseable_values`, on a copy. */
function parseJsonObjects(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "string" && v.startsWith("{")) {
      try {
        out[key] = JSON.parse(v);
        continue;
      } catch {
        // not JSON: kept as text
      }
    }
    if (Array.isArray(v)) {
      out[key] = v.map((item) => (isPlainObject(item) ? parseJsonObjects(item) : item));
    } else if (isPlainObject(v)) {
      out[key] = parseJsonObjects(v);
    } else {
      out[key] = v;
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A zip of `files` (path → source). */
export function zip(files: Record<string, string>): Uint8Array {
  return zipSync(
    Object.fromEntries(Object.entries(files).map(([path, body]) => [path, new TextEncoder().encode(body)])),
  );
}

function defaultFile(runtime: string): string {
  return runtime.startsWith("python") ? "handler.py" : "handler.mjs";
}

/** A handler that answers with its event (LocalStack's lambda_echo). */
export function echoSource(runtime: string): string {
  return runtime.startsWith("python")
    ? "def handler(event, context):\n    return event\n"
    : "export const handler = async (event) => event;\n";
}

/** A short random id, as LocalStack's `short_uid()`. */
export function shortUid(): string {
  return Math.random().toString(16).slice(2, 10);
}
