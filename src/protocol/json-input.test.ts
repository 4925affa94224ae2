// JSON bodies read into their input shapes: the type errors AWS's deserialiser answers before any
// constraint is checked, blobs, timestamps, and what is dropped.
import { describe, expect, it } from "vitest";
import { decodeJsonInput } from "./json-input.js";
import { cloudtrailModel, lambdaModel, logsModel, ssmModel } from "./models/index.js";

function serializationError(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return `${code}: ${message}`;
  }
  return undefined;
}

describe("decodeJsonInput", () => {
  it("keeps modelled members and drops unknown ones and nulls", () => {
    expect(
      decodeJsonInput(ssmModel, "GetParameter", { Name: "/a", WithDecryption: true, Extra: 1, Foo: null }),
    ).toEqual({
      Name: "/a",
      WithDecryption: true,
    });
  });

  it("refuses a value of the wrong JSON type in AWS's words", () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        "number for a string",
        { Name: 5 },
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String",
      ],
      ["boolean for a string", { Name: true }, "class java.lang.Boolean can not be converted to an String"],
      ["list for a string", { Name: ["a"] }, "Start of list found where not expected"],
      ["object for a string", { Name: { a: 1 } }, "Start of structure or map found where not expected."],
      [
        "string for a boolean",
        { Name: "/a", WithDecryption: "yes" },
        "'YES' can not be converted to an Boolean",
      ],
    ];
    for (const [, input, message] of cases) {
      expect(serializationError(() => decodeJsonInput(ssmModel, "GetParameter", input))).toBe(
        `SerializationException: ${message}`,
      );
    }
    expect(
      serializationError(() =>
        decodeJsonInput(logsModel, "GetLogEvents", { logStreamName: "s", limit: "10" }),
      ),
    ).toBe("SerializationException: class java.lang.String can not be converted to an Integer");
    expect(serializationError(() => decodeJsonInput(ssmModel, "GetParameters", { Names: "/a" }))).toBe(
      "SerializationException: Expected list or null",
    );
    expect(
      serializationError(() =>
        decodeJsonInput(ssmModel, "PutParameter", { Name: "/a", Value: "v", Tags: ["x"] }),
      ),
    ).toBe("SerializationException: Expected null");
  });

  it("reads blobs from strict base64 and timestamps from epoch seconds", () => {
    const input = decodeJsonInput(lambdaModel, "UpdateFunctionCode", {
      FunctionName: "f",
      ZipFile: "UEsFBg==",
    });
    expect(input.ZipFile).toEqual(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(
      serializationError(() =>
        decodeJsonInput(lambdaModel, "UpdateFunctionCode", { FunctionName: "f", ZipFile: "abc" }),
      ),
    ).toBe(
      "SerializationException: 'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3",
    );
    const lookup = decodeJsonInput(cloudtrailModel, "LookupEvents", { StartTime: 1_700_000_000.5 });
    expect(lookup.StartTime).toEqual(new Date(1_700_000_000_500));
  });
});
