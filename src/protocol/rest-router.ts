/**
 * restJson1 dispatch by method and path. Routes are templates such as
 * `/2015-03-31/functions/{FunctionName}/invocations`; `{Name+}` takes the rest of the path.
 */
import { AwsError } from "./aws-error.js";
import { matchRequestUri, parseRequestUri, type RequestUriTemplate } from "./request-uri.js";
import type { RestRoute } from "./service.js";

interface CompiledRoute {
  readonly route: RestRoute;
  readonly template: RequestUriTemplate;
}

export interface RestMatch {
  readonly route: RestRoute;
  readonly pathParams: Record<string, string>;
}

export class RestRouter {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly RestRoute[]) {
    this.routes = routes.map((route) => ({ route, template: parseRequestUri(route.path) }));
  }

  /** The route for a request, or an `UnknownOperationException` naming what was asked for. */
  match(method: string, path: string, query?: URLSearchParams): RestMatch {
    for (const { route, template } of this.routes) {
      if (route.method !== method) continue;
      const pathParams = matchRequestUri(template, path, query);
      if (pathParams) return { route, pathParams };
    }
    throw noRestOperation(method, path);
  }
}

/** What a restJson1 request that names no operation is answered with. */
export function noRestOperation(method: string, path: string): AwsError {
  return new AwsError("UnknownOperationException", `No operation matches ${method} ${path}.`, 404);
}
