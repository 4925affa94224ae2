import { describe, expect, it } from "vitest";
import { matchRequestUri, parseRequestUri, templateSpecificity } from "./request-uri.js";

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
