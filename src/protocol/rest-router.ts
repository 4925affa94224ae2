/**
 * restJson1 dispatch by method and path. Routes are templates such as
 * `/2015-03-31/functions/{FunctionName}/invocations`; `{Name+}` takes the rest of the path.
 */
import { AwsError } from "./aws-error.js";
import type { RestRoute } from "./service.js";

interface CompiledRoute {
  readonly route: RestRoute;
  readonly segments: readonly Segment[];
}

type Segment = { kind: "literal"; text: string } | { kind: "param"; name: string; greedy: boolean };

export interface RestMatch {
  readonly route: RestRoute;
  readonly pathParams: Record<string, string>;
}

export class RestRouter {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly RestRoute[]) {
    this.routes = routes.map((route) => ({ route, segments: compile(route.path) }));
  }

  /** The route for a request, or an `UnknownOperationException` naming what was asked for. */
  match(method: string, path: string): RestMatch {
    const parts = splitPath(path);
    for (const { route, segments } of this.routes) {
      if (route.method !== method) continue;
      const pathParams = matchSegments(segments, parts);
      if (pathParams) return { route, pathParams };
    }
    throw new AwsError("UnknownOperationException", `No operation matches ${method} ${path}.`, 404);
  }
}

function compile(path: string): Segment[] {
  return splitPath(path).map((part) => {
    const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
    return param
      ? { kind: "param", name: param[1] ?? "", greedy: param[2] === "+" }
      : { kind: "literal", text: part };
  });
}

/** Splits a path into raw segments; an empty trailing segment (a trailing slash) is dropped. */
function splitPath(path: string): string[] {
  const parts = path.split("/").slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === "literal") {
      if (segment.text !== part) return undefined;
      continue;
    }
    const raw = segment.greedy ? parts.slice(i).join("/") : part;
    const value = safeDecode(raw);
    if (value === undefined || value === "") return undefined;
    params[segment.name] = value;
    if (segment.greedy) return params;
  }
  return segments.length === parts.length ? params : undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
