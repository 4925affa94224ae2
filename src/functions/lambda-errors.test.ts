import { describe, expect, it } from "vitest";
import { lambdaError, lambdaErrors } from "./lambda-errors.js";

describe("Lambda's errors", () => {
  it("spell the message member as Lambda's model does: Message for a function not found", () => {
    expect(lambdaErrors.notFound("arn:aws:lambda:us-east-1:111111111111:function:f").messageMember).toBe(
      "Message",
    );
    expect(lambdaError("ServiceException", "boom", 500).messageMember).toBe("Message");
  });

  it("and message for the shapes that say so", () => {
    expect(lambdaErrors.invalidParameter("bad").messageMember).toBe("message");
    expect(lambdaError("InvalidRequestContentException", "not JSON", 400).messageMember).toBe("message");
  });
});
