// Hostile deployment packages sent to the real server with the SDK: links that climb out of the
// data directory, and zip bombs, which must be refused without Jeff's memory growing or its event
// loop stalling.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  GetFunctionCommand,
  InvokeCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZip, deflatedZeros, file, link } from "../fixtures/zip-builder.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { decode, failure, lambdaClientFor, text } from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
const mebibyte = 1024 * 1024;

beforeAll(async () => {
  jeff = await startJeff();
  lambda = lambdaClientFor(jeff);
});
afterAll(async () => {
  await jeff?.stop();
});

const create = (name: string, zip: Uint8Array, extra: Partial<CreateFunctionCommandInput> = {}) =>
  lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
      Code: { ZipFile: zip },
      ...extra,
    }),
  );

const codeRoot = () => join(jeff.dataDir, "functions", "code", jeff.accountId);
/** Folders the server is unpacking into (none before the first package). */
const stagingFolders = () =>
  existsSync(codeRoot()) ? readdirSync(codeRoot()).filter((name) => name.includes(".partial-")) : [];

/** A line of the server's /proc status in bytes: VmRSS now, VmHWM its peak so far. */
function memoryOf(field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${jeff.child.pid}/status`, "utf8");
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${field} in /proc/${jeff.child.pid}/status`);
  return Number(kib) * 1024;
}

describe("packages with symbolic links", () => {
  it("refuses the chained-link escape, and nothing lands outside the data directory", async () => {
    const planted = `jeff-escaped-${process.pid}-${Date.now()}.txt`;
    const links = Array.from({ length: 6 }, (_, i) =>
      link(`a/${Array.from({ length: i + 1 }, (_, j) => `w${j + 1}`).join("/")}`, ".."),
    );
    const zip = buildZip([
      file("index.mjs", "export const handler = () => 1;"),
      ...links,
      file(`a/w1/w2/w3/w4/w5/w6/${planted}`, "owned"),
    ]);
    const error = await failure(create("chained-links", zip));
    expect(error.name).toBe("InvalidParameterValueException");
    expect(error.message).toBe("The deployment package holds a path under a symbolic link: a/w1/w2");
    // Where the chain leads from the staging folder: six levels up, beside the data directory.
    expect(existsSync(join(dirname(jeff.dataDir), planted))).toBe(false);
    for (let dir = codeRoot(); dir !== dirname(jeff.dataDir); dir = dirname(dir)) {
      expect(
        readdirSync(dir).filter((name) => /^w\d$/.test(name) || name === planted),
        dir,
      ).toEqual([]);
    }
    expect(stagingFolders()).toEqual([]);
    expect((await failure(lambda.send(new GetFunctionCommand({ FunctionName: "chained-links" })))).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("refuses a link that resolves outside though its text stays inside", async () => {
    const error = await failure(
      create(
        "resolved-outside",
        buildZip([file("index.mjs", "x"), link("a/w1", ".."), link("b", "a/w1/..")]),
      ),
    );
    expect(error.name).toBe("InvalidParameterValueException");
    expect(error.message).toBe(
      "The deployment package holds a symbolic link that points outside it: b -> a/w1/..",
    );
  });

  it("keeps links that stay inside: a handler reached through two of them runs", async () => {
    const zip = buildZip([
      file("src/handler.mjs", "export const handler = async (event) => ({ through: 'links', event });\n"),
      link("lib", "src"),
      link("index.mjs", "lib/handler.mjs"),
    ]);
    await create("inside-links", zip);
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "inside-links", Payload: text('{"n":1}') }),
    );
    expect(result.FunctionError).toBeUndefined();
    expect(JSON.parse(decode(result.Payload))).toEqual({ through: "links", event: { n: 1 } });
  });
});

describe("zip bombs", () => {
  // 1 GiB of zeros deflates to about 1 MiB: well within the 16 MB request.
  let zeros: Awaited<ReturnType<typeof deflatedZeros>>;
  beforeAll(async () => {
    zeros = await deflatedZeros(1024 * mebibyte);
  }, 120_000);

  it("refuses a bomb whose header declares its size, as Lambda words it", async () => {
    const zip = buildZip([file("index.mjs", "x"), { name: "zeros", ...zeros, size: 1024 * mebibyte }]);
    const error = await failure(create("honest-bomb", zip));
    expect(error.name).toBe("InvalidParameterValueException");
    expect(error.message).toBe("Unzipped size must be smaller than 262144000 bytes");
    expect(stagingFolders()).toEqual([]);
  });

  it("refuses a bomb that lies about its size, in bounded memory, answering health while it unpacks", async () => {
    // The lie stays under the limit, so the server inflates 200 MiB before the bytes give it away.
    const declared = 200 * mebibyte;
    const zip = buildZip([file("index.mjs", "x"), { name: "zeros", ...zeros, size: declared }]);
    const rssBefore = memoryOf("VmRSS");
    const peakBefore = memoryOf("VmHWM");
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, memoryOf("VmRSS"));
    }, 20);
    let settled = false;
    const call = failure(create("lying-bomb", zip)).finally(() => {
      settled = true;
    });
    try {
      let unpacking = false;
      await until(
        () => {
          unpacking = stagingFolders().length > 0;
          return unpacking || settled;
        },
        "the server to start unpacking",
        120_000,
      );
      expect(unpacking, "the staging folder was never seen while the call ran").toBe(true);
      const health = await fetch(`${jeff.url}/_jeff/health`);
      expect(health.status).toBe(200);
      const error = await call;
      expect(error.name).toBe("InvalidParameterValueException");
      expect(error.message).toBe(
        `Could not unzip uploaded file. zeros inflates to more than the ${declared} bytes it declares`,
      );
    } finally {
      clearInterval(sampler);
      await call;
    }
    expect(rssPeak - rssBefore).toBeLessThan(100 * mebibyte);
    expect(memoryOf("VmHWM") - peakBefore).toBeLessThan(100 * mebibyte);
    await until(() => stagingFolders().length === 0, "the staging folder to go");
  });
});
