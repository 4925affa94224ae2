import { describe, expect, it } from "vitest";
import { jsonError } from "../protocol/json-protocol.js";
import { lambdaModel } from "../protocol/models/index.js";
import { lambdaErrors } from "./lambda-errors.js";

const body = (error: Parameters<typeof jsonError>[1]) =>
  JSON.parse(String(jsonError("restJson1", error, "id", lambdaModel).body)) as Record<string, unknown>;

describe("Lambda's errors", () => {
  it("spell the message member as Lambda's model does: Message for a function not found", () => {
    const notFound = body(lambdaErrors.notFound("arn:aws:lambda:us-east-1:111111111111:function:f"));
    expect(notFound).toMatchObject({ Type: "User", Message: expect.stringContaining("Function not found") });
    expect(notFound).not.toHaveProperty("message");
    expect(body(lambdaErrors.service("boom"))).toMatchObject({ Type: "Service", Message: "boom" });
  });

  it("and message for the shapes that say so", () => {
    const invalid = body(lambdaErrors.invalidParameter("bad"));
    expect(invalid).toMatchObject({ Type: "User", message: "bad" });
    expect(invalid).not.toHaveProperty("Message");
  });
});
