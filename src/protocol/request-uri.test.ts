import { describe, expect, it } from "vitest";
import { matchRequestUri, parseRequestUri, templateSpecificity } from "./request-uri.js";
import { RestRouter } from "./rest-router.js";
import type { RestRoute } from "./service.js";

describe("request-URI templates", () => {
  it("bind labels to single segments and ignore a trailing slash", () => {
    const invoke = parseRequestUri("/2015-03-31/functions/{FunctionName}/invocations");
    expect(matchRequestUri(invoke, "/2015-03-31/functions/f%3A1/invocations/")).toEqual({
      FunctionName: "f:1",
    });
    expect(matchRequestUri(invoke, "/2015-03-31/functions/a/b/invocations")).toBeUndefined();
    expect(matchRequestUri(invoke, "/2015-03-31/functions//invocations")).toBeUndefined();
    expect(matchRequestUri(parseRequestUri("/2015-03-31/functions/"), "/2015-03-31/functions")).toEqual({});
  });

  it("let a greedy label take the rest of the path, slashes included", () => {
    const object = parseRequestUri("/{Bucket}/{Key+}");
    expect(matchRequestUri(object, "/photos/2024/06/cat%20one.jpg")).toEqual({
      Bucket: "photos",
      Key: "2024/06/cat one.jpg",
    });
  });

  it("require the query literals a template fixes", () => {
    const byArn = parseRequestUri("/2018-10-31/layers?find=LayerVersion");
    expect(
      matchRequestUri(byArn, "/2018-10-31/layers", new URLSearchParams("find=LayerVersion&Arn=x")),
    ).toEqual({});
    expect(matchRequestUri(byArn, "/2018-10-31/layers", new URLSearchParams("Arn=x"))).toBeUndefined();
    expect(templateSpecificity(byArn)).toBeGreaterThan(
      templateSpecificity(parseRequestUri("/2018-10-31/layers")),
    );
  });

  it("refuse malformed percent-encoding rather than guess", () => {
    expect(matchRequestUri(parseRequestUri("/f/{Name}"), "/f/%E0%A4%A")).toBeUndefined();
  });
});

describe("RestRouter", () => {
  const route = (method: string, path: string, operation: string) =>
    ({ method, path, operation }) as unknown as RestRoute;
  const router = new RestRouter([
    route("GET", "/2015-03-31/functions/{FunctionName}", "GetFunction"),
    route("POST", "/2015-03-31/functions/{FunctionName}/invocations", "Invoke"),
    route("DELETE", "/2015-03-31/functions/{FunctionName}", "DeleteFunction"),
  ]);

  it("matches by method and path, the same the second time, each caller with labels of its own", () => {
    const first = router.match("POST", "/2015-03-31/functions/a/invocations");
    expect(first.route.operation).toBe("Invoke");
    first.pathParams.FunctionName = "changed by its caller";
    const again = router.match("POST", "/2015-03-31/functions/a/invocations");
    expect(again).toEqual({ route: first.route, pathParams: { FunctionName: "a" } });
    expect(router.match("DELETE", "/2015-03-31/functions/a").route.operation).toBe("DeleteFunction");
    expect(router.match("GET", "/2015-03-31/functions/b").pathParams).toEqual({ FunctionName: "b" });
  });

  it("matches a path too long to remember as any other", () => {
    const name = "f".repeat(600);
    for (let i = 0; i < 2; i++) {
      expect(router.match("POST", `/2015-03-31/functions/${name}/invocations`).pathParams).toEqual({
        FunctionName: name,
      });
    }
  });

  it("refuses a path no route of the method takes, every time it is asked", () => {
    for (let i = 0; i < 2; i++) {
      expect(() => router.match("PUT", "/2015-03-31/functions/a")).toThrow(/No operation matches PUT/);
      expect(() => router.match("GET", "/2015-03-31/nothing")).toThrow(/No operation matches GET/);
    }
  });
});
