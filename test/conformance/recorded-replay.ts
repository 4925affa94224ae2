/**
 * What every replay of AWS's recorded answers has, whatever the service: SDK clients for Jeff
 * whose raw answers it reads, and each answer shaped as botocore (the recording's client) shaped
 * it, so it compares key for key with the recording (snapshot-match.ts):
 *
 * - a success is the output's members plus `ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode }`;
 * - a failure is `{ Error: { Code, Message }, …the error shape's members in the body,
 *   ResponseMetadata }`, read off the raw response as botocore reads it.
 *
 * Each service's replay (lambda/replay.ts, events/replay.ts) extends it with its test files'
 * fixtures.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import type { JeffProcess } from "../integration/jeff-process.js";
import { escapeRegExp, type Replacement } from "./snapshot-match.js";

/** A botocore-shaped answer: a dictionary of the response's members. */
export type Answer = Record<string, unknown>;

/** Each error's members in the body, by error code. */
export interface ErrorShapes {
  readonly [code: string]: readonly string[];
}

const shapesByModel = new Map<string, ErrorShapes>();

/** Each error's members, from AWS's own model of the service (botocore's, shipped with awscli). */
export function botocoreErrorShapes(service: string, version: string): ErrorShapes {
  const path = `/usr/lib/python3/dist-packages/awscli/botocore/data/${service}/${version}/service-2.json`;
  const known = shapesByModel.get(path);
  if (known) return known;
  const model = JSON.parse(readFileSync(path, "utf8")) as {
    shapes: Record<string, { exception?: boolean; members?: Record<string, unknown> }>;
  };
  const out: Record<string, string[]> = {};
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.exception) out[name] = Object.keys(shape.members ?? {});
  }
  shapesByModel.set(path, out);
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

/** Any AWS SDK v3 client: what a replay needs of one. */
interface SdkClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<{ response: unknown }>,
      ) => (args: unknown) => Promise<{ response: unknown }>,
      options: { step: "deserialize"; priority: "low"; name: string },
    ): void;
  };
}

export type ReplayJeff = Pick<JeffProcess, "url" | "region" | "credentials" | "accountId">;

/** What a case has while it runs: clients for Jeff, the answers it matched, its undo list. */
export class RecordedReplay {
  readonly matched = new Map<string, unknown>();
  readonly replacements: Replacement[] = [];
  private raw: RawResponse | undefined;
  private readonly cleanups: Array<() => Promise<unknown>> = [];

  constructor(
    readonly jeff: ReplayJeff,
    private readonly errorShapes: ErrorShapes,
  ) {}

  get accountId(): string {
    return this.jeff.accountId;
  }

  get region(): string {
    return this.jeff.region;
  }

  /** An SDK client of any service for Jeff, whose raw answers this replay reads. */
  client<C>(Client: new (config: ClientConfig) => C, region = this.region): C {
    const client = new Client({
      endpoint: this.jeff.url,
      region,
      credentials: this.jeff.credentials,
      maxAttempts: 1,
    });
    (client as unknown as SdkClient).middlewareStack.add(
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
   * Records an answer under the label the recorded test gave it (JSON objects inside strings are
   * compared as objects: `normalise`).
   */
  match(label: string, value: unknown): void {
    if (this.matched.has(label)) throw new Error(`label ${label} matched twice`);
    this.matched.set(label, value);
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
      out[key] = this.member(key, value);
    }
    out.ResponseMetadata = { HTTPHeaders: {}, HTTPStatusCode: output.$metadata.httpStatusCode };
    return out;
  }

  /** A member of a success as botocore reads it (a service's replay may read some differently). */
  protected member(_key: string, value: unknown): unknown {
    return value;
  }

  /** The error the call fails with, as botocore's `ClientError.response`; a success fails the case. */
  async fails(call: Promise<unknown>): Promise<Answer> {
    try {
      await call;
    } catch (error) {
      const raw = this.raw;
      if (!raw || !(error as { $metadata?: unknown }).$metadata) throw error;
      return botocoreError(raw, this.errorShapes);
    }
    throw new Error("expected the call to fail, and it succeeded");
  }

  /** Either answer: the success's or the failure's. */
  async answer(call: Promise<object>): Promise<Answer> {
    try {
      return await this.ok(call);
    } catch (error) {
      if (!this.raw || !(error as { $metadata?: unknown }).$metadata) throw error;
      return botocoreError(this.raw, this.errorShapes);
    }
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
 * botocore's reading of a JSON error, restJson1's or awsJson's: the code from `x-amzn-errortype`
 * or `__type` (after any `#`, before any `:`), the message, then the modeled error's members.
 */
function botocoreError(raw: RawResponse, shapes: ErrorShapes): Answer {
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
  for (const member of shapes[code] ?? []) {
    if (body[member] !== undefined) out[member] = body[member];
  }
  out.ResponseMetadata = { HTTPHeaders: {}, HTTPStatusCode: raw.status };
  return out;
}

/** A short random id, as LocalStack's `short_uid()`: eight hexadecimal digits. */
export function shortUid(): string {
  return randomBytes(4).toString("hex");
}
