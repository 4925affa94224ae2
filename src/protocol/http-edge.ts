/**
 * The one HTTP edge every AWS-compatible API sits behind. For each request it reads the body,
 * verifies the signature, finds the service from the credential scope, decodes the wire protocol,
 * calls the operation and writes the result or the error in that protocol's exact shape.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger, MetricsRegistry } from "../ops/index.js";
import { type Authenticated, authenticate, type CredentialLookup } from "./authenticate.js";
import { AwsError, commonErrors, isAwsError } from "./aws-error.js";
import { EdgeCall, RequestLabel } from "./edge-call.js";
import { validateInput } from "./input-validation.js";
import { decodeJsonInput } from "./json-input.js";
import { findJsonOperation, jsonError, jsonSuccess, parseJsonBody } from "./json-protocol.js";
import { decodeQueryInput } from "./query-input.js";
import { findQueryOperation, parseQueryParams, queryError, querySuccess } from "./query-protocol.js";
import { requestParameters } from "./request-parameters.js";
import { ResponseWriter } from "./response-writer.js";
import { decodeRestJsonInput } from "./rest-json-input.js";
import { RestRouter } from "./rest-router.js";
import type {
  Caller,
  OperationRunner,
  OperationTraits,
  RequestContext,
  RestResponse,
  RestRoute,
  ServiceDefinition,
  WireProtocol,
} from "./service.js";
import type { ServiceModel } from "./service-model.js";
import { inspectSigV4, RequestHeaders, type SigV4Inspection, type SigV4Request } from "./sigv4-verify.js";
import type { WireResponse } from "./wire.js";
import { escapeXml } from "./xml.js";

/** Namespace for query errors when no service could be identified. */
const fallbackXmlNamespace = "https://jeff.dev/doc/2026-11-26/";

export interface EdgeOptions {
  readonly services: readonly ServiceDefinition[];
  readonly credentials: CredentialLookup;
  /** Every decoded call runs through it: authorisation, the handler, the audit trail. */
  readonly calls: OperationRunner;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Bodies larger than this are refused before they are read in full. */
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
  /** Non-AWS routes (health, metrics) under `/_jeff/`; answers true when it handled the request. */
  readonly internal?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  /**
   * Jeff's own signed routes under `/_jeff/` that answer with a stream (`/_jeff/events`): the
   * signature is verified as for any call, then the route owns the response.
   */
  readonly signedRoutes?: Readonly<Record<string, SignedRoute>>;
}

/**
 * A signed non-AWS route: it writes its own response, which may stay open. `maxBodyBytes`, when
 * set, replaces the edge's limit for its bodies (deployment packages are larger than API calls).
 */
export type SignedRoute = ((
  req: IncomingMessage,
  res: ServerResponse,
  who: { readonly caller: Caller; readonly query: URLSearchParams; readonly body: Buffer },
) => void) & { readonly maxBodyBytes?: number };

export interface Edge {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** API requests being served right now. */
  readonly inFlight: number;
  /** Answers a request Node's HTTP parser refused (oversized headers, garbage) with an AWS-shaped 4xx. */
  handleClientError(error: NodeJS.ErrnoException, socket: Socket): void;
}

export function createEdge(options: EdgeOptions): Edge {
  const now = options.now ?? (() => new Date());
  const authOptions = { credentials: options.credentials, now };
  const writer = new ResponseWriter();
  const send = (res: ServerResponse, out: WireResponse) => writer.send(res, out);
  const bySigningName = new Map(options.services.map((s) => [s.signingName, s]));
  const routers = new Map(
    options.services.flatMap((s) =>
      s.protocol === "restJson1" ? [[s.signingName, new RestRouter(s.routes)] as const] : [],
    ),
  );
  const requests = options.metrics.counter(
    "jeff_api_requests_total",
    "API requests by service, operation and status.",
  );
  const latency = options.metrics.histogram(
    "jeff_api_request_duration_seconds",
    "API request latency.",
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  );

  /**
   * Runs a call through the operation runner, the handler getting the call itself as its context.
   * A call whose input the service's model declares is decoded by the model (member names, the
   * recorded parameters) and checked against its constraints before the handler runs, so a bad
   * request is refused in AWS's words — and recorded as refused. Operations no model declares
   * (Jeff's own) keep the parameters they were given.
   */
  const runCall = <T>(
    service: ServiceDefinition,
    call: EdgeCall,
    traits: OperationTraits,
    decode: (model: ServiceModel) => Record<string, unknown>,
    raw: () => Readonly<Record<string, unknown>>,
    handler: (ctx: RequestContext) => Promise<T>,
  ): Promise<T> => {
    const model = service.model?.operations[call.operation] ? service.model : undefined;
    if (!model) {
      return options.calls.run(call, traits, raw, (transaction) => {
        call.transaction = transaction;
        return handler(call);
      });
    }
    let input: Record<string, unknown> | undefined;
    let failure: unknown;
    try {
      input = decode(model);
    } catch (error) {
      failure = error;
    }
    const decoded = input;
    return options.calls.run(call, traits, decoded === undefined ? raw : () => decoded, (transaction) => {
      if (decoded === undefined) return Promise.reject(failure);
      try {
        validateInput(model, call.operation, decoded);
      } catch (error) {
        return Promise.reject(error);
      }
      call.transaction = transaction;
      return handler(call);
    });
  };

  /** The operation's answer in the service's wire protocol; `label` learns the operation first. */
  async function dispatch(
    service: ServiceDefinition,
    req: IncomingMessage,
    path: string,
    query: string,
    body: Buffer,
    who: Authenticated,
    requestId: string,
    label: RequestLabel,
  ): Promise<WireResponse> {
    const callOf = (operation: string) =>
      new EdgeCall(
        requestId,
        who.caller,
        who.region,
        service.signingName,
        operation,
        req.socket.remoteAddress ?? "",
        req.headers["user-agent"] ?? "",
      );
    switch (service.protocol) {
      case "awsJson1_0":
      case "awsJson1_1": {
        const { operation, declared } = findJsonOperation(service, req.headers["x-amz-target"]);
        label.operation = operation;
        const input = parseJsonBody(body);
        const output = await runCall(
          service,
          callOf(operation),
          declared,
          (model) => decodeJsonInput(model, operation, input),
          () => input,
          (ctx) => declared.handler(input, ctx),
        );
        return jsonSuccess(service.protocol, output, requestId);
      }
      case "awsQuery": {
        const params = parseQueryParams(query, body, req.headers["content-type"]);
        const { operation, declared } = findQueryOperation(service, params);
        label.operation = operation;
        const result = await runCall(
          service,
          callOf(operation),
          declared,
          (model) => decodeQueryInput(model, operation, params),
          () => requestParameters.fromQuery(params),
          (ctx) => declared.handler(params, ctx),
        );
        return querySuccess(service.xmlNamespace, operation, result, requestId);
      }
      case "restJson1": {
        const { route, pathParams } = routers.get(service.signingName)!.match(req.method ?? "GET", path);
        label.operation = route.operation;
        const request = {
          method: req.method ?? "GET",
          pathParams,
          query: new URLSearchParams(query),
          headers: req.headers,
          body,
        };
        const out = await runCall(
          service,
          callOf(route.operation),
          route,
          (model) => decodeRestJsonInput(model, route.operation, request),
          () => requestParameters.fromRest(request, route.payload),
          (ctx) => route.handler(request, ctx),
        );
        return restResponse(out, requestId);
      }
      default: {
        const unreachable: never = service;
        throw new Error(`unknown protocol ${String(unreachable)}`);
      }
    }
  }

  /** The answer to an AWS call, or the error in the shape its client reads; `label` says what it was. */
  async function serve(
    req: IncomingMessage,
    requestId: string,
    path: string,
    query: string,
    label: RequestLabel,
  ): Promise<WireResponse> {
    let protocol: WireProtocol = guessProtocol(req);
    let service: ServiceDefinition | undefined;
    // A REST-XML service (S3, …) Jeff does not serve: its client reads errors only as XML.
    let xmlClient = false;
    try {
      const sigReq = signedRequest(req, path, query);
      const inspection = inspectSigV4(sigReq);
      const body = await readSignedBody(req, sigReq, inspection, undefined);
      sigReq.body = body;
      service = inspection.scope ? bySigningName.get(inspection.scope.service) : undefined;
      if (service) {
        protocol = service.protocol;
        label.service = service.signingName;
      } else xmlClient = restXmlServices.has(inspection.scope?.service ?? "");
      const checked = authenticate(sigReq, inspection, protocol, authOptions);
      const who = checked instanceof Promise ? await checked : checked;
      if (!service) {
        throw new AwsError(
          "UnknownOperationException",
          `This endpoint does not serve the service '${who.service}'.`,
          400,
        );
      }
      return await dispatch(service, req, path, query, body, who, requestId, label);
    } catch (error) {
      if (error instanceof ClientGoneError) throw error;
      const awsError = isAwsError(error) ? error : commonErrors.internal();
      if (!isAwsError(error)) options.logger.error("operation failed", { requestId, error });
      const xmlNamespace = service?.protocol === "awsQuery" ? service.xmlNamespace : fallbackXmlNamespace;
      const wire = xmlClient
        ? restXmlError(awsError, requestId)
        : protocol === "awsQuery"
          ? queryError(xmlNamespace, awsError, requestId)
          : jsonError(protocol, awsError, requestId, service?.model);
      // The rest of an oversized body is not worth reading: answer, then close the connection.
      if (awsError.status === 413) wire.headers.connection = "close";
      return wire;
    }
  }

  /** The request as its signature covers it, before its body is read. */
  function signedRequest(req: IncomingMessage, path: string, query: string): SigV4Request<RequestHeaders> {
    return {
      method: req.method ?? "GET",
      path,
      query,
      headers: RequestHeaders.fromRaw(req.rawHeaders),
      body: noBody,
    };
  }

  /**
   * The body read whole, as the signature covers it, up to `limit`, else the edge's limit or the
   * larger one of the operation the request names (Lambda's CreateFunction takes 70,167,211 bytes).
   */
  function readSignedBody(
    req: IncomingMessage,
    sigReq: SigV4Request<RequestHeaders>,
    inspection: SigV4Inspection,
    limit: number | undefined,
  ): Promise<Buffer> {
    const route = limit === undefined ? routeOf(inspection, sigReq) : undefined;
    if (route?.maxBodyBytes) {
      const routeLimit = route.maxBodyBytes;
      return readBody(req, routeLimit, () => commonErrors.payloadTooLargeFor(routeLimit, route.operation));
    }
    return readBody(req, limit ?? options.maxBodyBytes);
  }

  /** The restJson1 route a request names, by its signing scope, method and path, if any. */
  function routeOf(inspection: SigV4Inspection, sigReq: SigV4Request<RequestHeaders>): RestRoute | undefined {
    const router = inspection.scope ? routers.get(inspection.scope.service) : undefined;
    try {
      return router?.match(sigReq.method, sigReq.path).route;
    } catch {
      return undefined;
    }
  }

  /** The caller of a signed request that no AWS service answers, and the body it signed. */
  async function verified(
    req: IncomingMessage,
    path: string,
    query: string,
    limit: number | undefined,
  ): Promise<{ caller: Caller; body: Buffer }> {
    const sigReq = signedRequest(req, path, query);
    const inspection = inspectSigV4(sigReq);
    const body = await readSignedBody(req, sigReq, inspection, limit);
    sigReq.body = body;
    const checked = authenticate(sigReq, inspection, "restJson1", authOptions);
    return { caller: (checked instanceof Promise ? await checked : checked).caller, body };
  }

  let inFlight = 0;
  return {
    get inFlight() {
      return inFlight;
    },
    handle(req, res) {
      const started = performance.now();
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q === -1 ? url : url.slice(0, q);
      const query = q === -1 ? "" : url.slice(q + 1);
      if (path.startsWith("/_jeff/") && options.internal?.(req, res, path)) return;
      const requestId = randomUUID();
      const signedRoute = path.startsWith("/_jeff/") ? options.signedRoutes?.[path] : undefined;
      if (signedRoute) {
        verified(req, path, query, signedRoute.maxBodyBytes).then(
          ({ caller, body }) => signedRoute(req, res, { caller, body, query: new URLSearchParams(query) }),
          (error: unknown) => {
            if (error instanceof ClientGoneError) return;
            const awsError = isAwsError(error) ? error : commonErrors.internal();
            send(res, jsonError("restJson1", awsError, requestId));
          },
        );
        return;
      }
      inFlight++;
      const label = new RequestLabel();
      serve(req, requestId, path, query, label).then(
        (out) => {
          inFlight--;
          send(res, out);
          requests.inc({
            service: label.service,
            operation: label.operation,
            status: statusText(out.status),
          });
          latency.observe({ service: label.service }, (performance.now() - started) / 1000);
        },
        (error: unknown) => {
          inFlight--;
          if (error instanceof ClientGoneError) {
            options.logger.debug("client went away before its request was read", { requestId });
            return;
          }
          options.logger.error("edge failure", { requestId, error });
          if (!res.headersSent) send(res, jsonError("awsJson1_1", commonErrors.internal(), requestId));
        },
      );
    },
    handleClientError(error, socket) {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
      const awsError = tooLarge
        ? new AwsError("RequestHeaderFieldsTooLarge", "The request headers are too large.", 431)
        : new AwsError("BadRequest", "The request could not be parsed as HTTP.", 400);
      const wire = jsonError("restJson1", awsError, randomUUID());
      const body = Buffer.from(wire.body as string);
      const head = [
        `HTTP/1.1 ${awsError.status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}`,
      ];
      for (const [k, v] of Object.entries(wire.headers)) head.push(`${k}: ${v}`);
      head.push(`content-length: ${body.length}`, "connection: close", "", "");
      socket.end(Buffer.concat([Buffer.from(head.join("\r\n")), body]));
    },
  };
}

/** The client closed the connection before its request was read: there is no one to answer. */
class ClientGoneError extends Error {
  override readonly name = "ClientGoneError";
}

/** Which protocol an unauthenticated request speaks, so its error comes back in a shape it reads. */
/** Services whose wire protocol is REST-XML, by signing name: their clients parse only XML errors. */
const restXmlServices = new Set(["s3", "s3-outposts", "s3express", "cloudfront", "route53"]);

/** An error as REST-XML services (S3's shape) write it. */
function restXmlError(error: AwsError, requestId: string): WireResponse {
  return {
    status: error.status,
    headers: {
      "content-type": "application/xml",
      "x-amz-request-id": requestId,
      "x-amzn-requestid": requestId,
    },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}

function statusText(status: number): string {
  return status === 200 ? "200" : String(status);
}

function guessProtocol(req: IncomingMessage): WireProtocol {
  if (req.headers["x-amz-target"]) {
    return req.headers["content-type"]?.includes("1.0") ? "awsJson1_0" : "awsJson1_1";
  }
  if (req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) return "awsQuery";
  if (req.method === "GET" && /[?&]Action=/.test(req.url ?? "")) return "awsQuery";
  return "restJson1";
}

/** The body of a request before it is read. */
const noBody = Buffer.alloc(0);

/**
 * A body over its limit by no more than this factor is read to its end (and dropped) before the
 * 413 is sent: a client still sending it would otherwise meet a closed connection (EPIPE) and never
 * read the answer. A larger one is refused at once.
 */
const drainedOverLimit = 2;

/**
 * The body read whole, or the 413 `tooLarge` builds. The error is built only when the limit is
 * exceeded: an `Error` captures a stack, which every request would otherwise pay for.
 */
function readBody(req: IncomingMessage, limit: number, tooLargeFor?: () => AwsError): Promise<Buffer> {
  const tooLarge = () => tooLargeFor?.() ?? commonErrors.payloadTooLarge(limit);
  const declared = Number(req.headers["content-length"] ?? 0);
  const drainable = limit * drainedOverLimit;
  if (declared > drainable) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (size > drainable) {
        reject(tooLarge());
        req.resume();
      }
    });
    req.on("end", () => {
      if (size > limit) reject(tooLarge());
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on("error", () => reject(new ClientGoneError()));
    req.on("close", () => {
      if (!req.complete) reject(new ClientGoneError());
    });
  });
}

function restResponse(out: RestResponse, requestId: string): WireResponse {
  const headers: Record<string, string> = { "x-amzn-requestid": requestId, ...out.headers };
  let body: Buffer | string;
  if (out.body === undefined) body = "";
  else if (Buffer.isBuffer(out.body) || typeof out.body === "string") body = out.body;
  else {
    body = JSON.stringify(out.body);
    headers["content-type"] ??= "application/json";
  }
  return { status: out.status ?? 200, headers, body };
}
