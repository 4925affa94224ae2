import { describe, expect, it } from "vitest";
import { AwsError } from "./aws-error.js";
import { jsonError } from "./json-protocol.js";
import { lambdaModel } from "./models/index.js";

const body = (error: AwsError) =>
  JSON.parse(String(jsonError("restJson1", error, "req-1", lambdaModel).body)) as unknown;

describe("jsonError", () => {
  it("answers the message under the member the error's shape names in the service's model", () => {
    expect(body(new AwsError("ResourceNotFoundException", "gone", 404))).toEqual({
      __type: "ResourceNotFoundException",
      Message: "gone",
      Type: "User",
    });
    // Lambda's InvalidParameterValueException spells it `message`, its ServiceException `Message`.
    expect(body(new AwsError("InvalidParameterValueException", "no", 400))).toEqual({
      __type: "InvalidParameterValueException",
      message: "no",
      Type: "User",
    });
    expect(body(new AwsError("ServiceException", "boom", 500))).toMatchObject({ Message: "boom" });
    expect(body(new AwsError("ValidationException", "bad", 400))).toEqual({
      __type: "ValidationException",
      message: "bad",
      Type: "User",
    });
  });
});
