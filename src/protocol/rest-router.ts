/**
 * restJson1 dispatch by method and path. Routes are templates such as
 * `/2015-03-31/functions/{FunctionName}/invocations`; `{Name+}` takes the rest of the path.
 */
import { AwsError } from "./aws-error.js";
import { matchPathParts, parseRequestUri, type RequestUriTemplate, splitPath } from "./request-uri.js";
import type { RestRoute } from "./service.js";

interface CompiledRoute {
  readonly route: RestRoute;
  readonly template: RequestUriTemplate;
}

export interface RestMatch {
  readonly route: RestRoute;
  readonly pathParams: Record<string, string>;
}

/** Paths whose match is remembered at most; past that the memory starts over. */
const rememberedPaths = 1_000;
/**
 * Longer paths are matched afresh each time: routing runs before the signature is checked, so a
 * stranger chooses the paths, and the memory stays small whatever they send (an ARN-long
 * function name and qualifier fit well within it).
 */
const rememberedPathLength = 512;

export class RestRouter {
  /** The routes of each method, in the order given. */
  private readonly byMethod = new Map<string, CompiledRoute[]>();
  /**
   * The latest matches by method and path (null: none matched): a request's route is looked up
   * before its body is read and again to dispatch it, and a client sends the same path over and over.
   */
  private readonly recent = new Map<string, RestMatch | null>();

  constructor(routes: readonly RestRoute[]) {
    for (const route of routes) {
      const compiled = { route, template: parseRequestUri(route.path) };
      const list = this.byMethod.get(route.method);
      if (list) list.push(compiled);
      else this.byMethod.set(route.method, [compiled]);
    }
  }

  /** The route for a request, or an `UnknownOperationException` naming what was asked for. */
  match(method: string, path: string, query?: URLSearchParams): RestMatch {
    // A template that fixes query parameters needs the query; without one, the path decides.
    const key = query === undefined && path.length <= rememberedPathLength ? `${method} ${path}` : undefined;
    const known = key === undefined ? undefined : this.recent.get(key);
    const found = known !== undefined ? known : this.find(method, path, query);
    if (key !== undefined && known === undefined) {
      if (this.recent.size >= rememberedPaths) this.recent.clear();
      this.recent.set(key, found);
    }
    if (found === null) throw noRestOperation(method, path);
    return { route: found.route, pathParams: { ...found.pathParams } };
  }

  private find(method: string, path: string, query: URLSearchParams | undefined): RestMatch | null {
    const parts = splitPath(path);
    for (const { route, template } of this.byMethod.get(method) ?? []) {
      const pathParams = matchPathParts(template, parts, query);
      if (pathParams) return { route, pathParams };
    }
    return null;
  }
}

/** What a restJson1 request that names no operation is answered with. */
export function noRestOperation(method: string, path: string): AwsError {
  return new AwsError("UnknownOperationException", `No operation matches ${method} ${path}.`, 404);
}
