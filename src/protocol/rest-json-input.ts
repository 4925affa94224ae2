/**
 * restJson1 requests read through the model: which operation a method and path name (the
 * operations' `requestUri` templates), and the operation's input gathered from where each member
 * travels: URI labels, query parameters, headers, a raw payload or the JSON body.
 */

import { decodeJsonStructure, decodeJsonValue } from "./json-input.js";
import { parseJsonBody } from "./json-protocol.js";
import {
  matchRequestUri,
  parseRequestUri,
  type RequestUriTemplate,
  templateSpecificity,
} from "./request-uri.js";
import type { RestRequest } from "./service.js";
import {
  type MemberRef,
  operationInput,
  type ServiceModel,
  type StructureShape,
  shapeOf,
  type TimestampFormat,
} from "./service-model.js";
import { decodeWireText } from "./wire-text.js";

export interface ModelRoute {
  readonly operation: string;
  readonly method: string;
  readonly template: RequestUriTemplate;
}

export interface ModelRouteMatch {
  readonly operation: string;
  /** The URI labels' values, by the label names of the template. */
  readonly pathParams: Record<string, string>;
}

const routeTables = new WeakMap<ServiceModel, readonly ModelRoute[]>();

/** The model's operations as routes, the most specific template first. */
export function modelRoutes(model: ServiceModel): readonly ModelRoute[] {
  let routes = routeTables.get(model);
  if (!routes) {
    routes = Object.entries(model.operations)
      .flatMap(([operation, op]) =>
        op.http ? [{ operation, method: op.http.method, template: parseRequestUri(op.http.requestUri) }] : [],
      )
      .sort((a, b) => templateSpecificity(b.template) - templateSpecificity(a.template));
    routeTables.set(model, routes);
  }
  return routes;
}

/** The operation a restJson1 request names, or undefined when no template fits. */
export function matchModelRoute(
  model: ServiceModel,
  method: string,
  path: string,
  query: URLSearchParams,
): ModelRouteMatch | undefined {
  for (const route of modelRoutes(model)) {
    if (route.method !== method) continue;
    const pathParams = matchRequestUri(route.template, path, query);
    if (pathParams) return { operation: route.operation, pathParams };
  }
  return undefined;
}

/**
 * The operation's input, keyed by the model's member names, from a matched request. Types follow
 * the model: integers and booleans from text, a blob payload as the raw body, timestamps as Dates.
 */
export function decodeRestJsonInput<T = Record<string, unknown>>(
  model: ServiceModel,
  operation: string,
  request: Pick<RestRequest, "pathParams" | "query" | "headers" | "body">,
): T {
  const { input } = operationInput(model, operation);
  if (!input) return {} as T;
  const out: Record<string, unknown> = decodeBody(model, input, request.body);
  const { bound, claimedQuery } = bindingsOf(input);
  for (const [name, ref] of bound) {
    const value = decodeBoundMember(model, name, ref, request, claimedQuery);
    if (value !== undefined) out[name] = value;
  }
  return out as T;
}

/** Where an input's members travel outside the body: worked out once per input shape. */
interface InputBindings {
  /** The members bound to the URI, the query or headers, by name. */
  readonly bound: ReadonlyArray<readonly [string, MemberRef]>;
  /** The query parameters a member names (a query-bound map takes the others). */
  readonly claimedQuery: ReadonlySet<string>;
}

const bindingsByInput = new WeakMap<StructureShape, InputBindings>();

function bindingsOf(input: StructureShape): InputBindings {
  let bindings = bindingsByInput.get(input);
  if (!bindings) {
    const members = Object.entries(input.members);
    bindings = {
      bound: members.filter(([, ref]) => ref.location !== undefined),
      claimedQuery: new Set(
        members.flatMap(([, ref]) =>
          ref.location === "querystring" && ref.locationName ? [ref.locationName] : [],
        ),
      ),
    };
    bindingsByInput.set(input, bindings);
  }
  return bindings;
}

function decodeBody(model: ServiceModel, input: StructureShape, body: Buffer): Record<string, unknown> {
  if (input.payload === undefined) {
    return body.length === 0 ? {} : decodeJsonStructure(model, input, parseJsonBody(body));
  }
  const ref = input.members[input.payload];
  if (!ref || body.length === 0) return {};
  const shape = shapeOf(model, ref.shape);
  if (shape.type === "blob") return { [input.payload]: body };
  if (shape.type === "string") return { [input.payload]: body.toString("utf8") };
  return { [input.payload]: decodeJsonValue(model, ref.shape, parseJsonBody(body)) };
}

function decodeBoundMember(
  model: ServiceModel,
  name: string,
  ref: MemberRef,
  request: Pick<RestRequest, "pathParams" | "query" | "headers">,
  claimedQuery: ReadonlySet<string>,
): unknown {
  const wireName = ref.locationName ?? name;
  const shape = shapeOf(model, ref.shape);
  switch (ref.location) {
    case "uri": {
      const text = request.pathParams[wireName];
      return text === undefined ? undefined : decodeWireText(shape, text, ref.timestampFormat, "iso8601");
    }
    case "querystring": {
      if (shape.type === "map") return queryMap(model, shape.value.shape, request.query, claimedQuery);
      if (shape.type === "list") {
        const texts = request.query.getAll(wireName);
        if (texts.length === 0) return undefined;
        const member = shapeOf(model, shape.member.shape);
        return texts.map((text) => decodeWireText(member, text, ref.timestampFormat, "iso8601"));
      }
      const text = request.query.get(wireName);
      return text === null ? undefined : decodeWireText(shape, text, ref.timestampFormat, "iso8601");
    }
    case "header": {
      const text = headerText(request.headers[wireName.toLowerCase()]);
      if (text === undefined) return undefined;
      if (ref.jsonvalue) return JSON.parse(Buffer.from(text, "base64").toString("utf8")) as unknown;
      if (shape.type === "list") {
        const member = shapeOf(model, shape.member.shape);
        return text
          .split(",")
          .map((part) => decodeWireText(member, part.trim(), ref.timestampFormat, "rfc822"));
      }
      return decodeWireText(shape, text, ref.timestampFormat, "rfc822");
    }
    case "headers": {
      const prefix = wireName.toLowerCase();
      const entries = Object.entries(request.headers).flatMap(([header, value]) => {
        const text = headerText(value);
        return header.startsWith(prefix) && text !== undefined ? [[header.slice(prefix.length), text]] : [];
      });
      return entries.length === 0 ? undefined : Object.fromEntries(entries);
    }
    default:
      return undefined;
  }
}

/** A query-bound map takes every parameter no other member names (a list value takes repeats). */
function queryMap(
  model: ServiceModel,
  valueShape: string,
  query: URLSearchParams,
  claimed: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  const multi = shapeOf(model, valueShape).type === "list";
  const out: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    if (!claimed.has(key)) out[key] = multi ? query.getAll(key) : query.get(key);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * The request a restJson1 client would send for `input` (keyed by the model's member names): each
 * member where the model says it travels — a URI label, a query parameter, a header, a raw payload
 * or the JSON body, blobs in base64. Jeff's own callers (a stack's resource) use it to make the
 * same request the edge would decode, so the route serves them exactly as it serves the wire.
 */
export function encodeRestJsonRequest(
  model: ServiceModel,
  operation: string,
  input: Readonly<Record<string, unknown>>,
): Pick<RestRequest, "method" | "pathParams" | "query" | "headers" | "body"> {
  const { op, input: shape } = operationInput(model, operation);
  const pathParams: Record<string, string> = {};
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  const bodyMembers: Record<string, unknown> = {};
  let body: Buffer = Buffer.alloc(0);
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const ref = shape?.members[name];
    if (ref === undefined) throw new TypeError(`${model.id}: ${operation} has no member ${name}`);
    const member = shapeOf(model, ref.shape);
    const wireName = ref.locationName ?? name;
    const text = (item: unknown, format: TimestampFormat) =>
      boundText(
        item,
        ref.timestampFormat ?? (member.type === "timestamp" ? member.timestampFormat : undefined) ?? format,
      );
    switch (ref.location) {
      case "uri":
        pathParams[wireName] = text(value, "iso8601");
        break;
      case "querystring": {
        // A map takes the parameters no other member names, a list repeats its parameter.
        const entries: Array<[string, unknown]> =
          member.type === "map" ? Object.entries(value as object) : [[wireName, value]];
        for (const [key, items] of entries)
          for (const item of Array.isArray(items) ? items : [items]) query.append(key, text(item, "iso8601"));
        break;
      }
      case "header":
        headers[wireName.toLowerCase()] = ref.jsonvalue
          ? Buffer.from(JSON.stringify(value)).toString("base64")
          : Array.isArray(value)
            ? value.map((item) => text(item, "rfc822")).join(",")
            : text(value, "rfc822");
        break;
      case "headers":
        for (const [key, item] of Object.entries(value as object))
          headers[`${wireName}${key}`.toLowerCase()] = String(item);
        break;
      default:
        if (name === shape?.payload) body = payloadBytes(value);
        else if (ref.locationName !== undefined && ref.locationName !== name)
          throw new TypeError(
            `${model.id}: ${operation}'s ${name} travels renamed, which Jeff does not encode`,
          );
        else bodyMembers[name] = value;
    }
  }
  if (shape?.payload === undefined && Object.keys(bodyMembers).length > 0)
    body = Buffer.from(JSON.stringify(bodyMembers, jsonWireValue));
  return { method: op.http?.method ?? "POST", pathParams, query, headers, body };
}

/** A value bound to a URI label, query parameter or header: blobs in base64, timestamps as `format` says. */
function boundText(value: unknown, format: TimestampFormat): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (!(value instanceof Date)) return String(value);
  if (format === "unixTimestamp") return String(value.getTime() / 1000);
  return format === "rfc822" ? value.toUTCString() : value.toISOString();
}

function payloadBytes(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value, jsonWireValue));
}

/** Blobs travel in a JSON body as base64, timestamps as epoch seconds (restJson1's defaults). */
function jsonWireValue(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString("base64");
  if (raw instanceof Date) return raw.getTime() / 1000;
  return value;
}
