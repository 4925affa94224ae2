/** `jeff invoke NAME [--event FILE|-]`: run a function on the running Jeff, print its result and log tail. */
import { readFile } from "node:fs/promises";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { targetOf } from "../deployer.js";
import { CliError, createOutput } from "../output.js";

export interface InvokeFlags {
  event?: string;
  dataDir?: string;
  endpoint?: string;
  json?: boolean;
}

async function readEvent(source: string | undefined): Promise<Uint8Array> {
  if (source === undefined) return new TextEncoder().encode("{}");
  if (source === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(source);
  } catch {
    throw new CliError(`cannot read the event file ${source}`);
  }
}

export async function runInvoke(name: string, flags: InvokeFlags): Promise<void> {
  const out = createOutput(flags.json === true);
  const payload = await readEvent(flags.event);
  const target = await targetOf(flags);
  const lambda = new LambdaClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    maxAttempts: 1,
  });
  try {
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: payload, LogType: "Tail" }),
    );
    const body = new TextDecoder().decode(result.Payload);
    const log = Buffer.from(result.LogResult ?? "", "base64").toString("utf8");
    if (!out.json) process.stderr.write(out.dim(log.endsWith("\n") || log === "" ? log : `${log}\n`));
    out.result(body, {
      statusCode: result.StatusCode,
      functionError: result.FunctionError,
      payload: body,
      log,
    });
    if (result.FunctionError) throw new CliError(`${name} failed (${result.FunctionError})`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof Error && "$metadata" in error) throw new CliError(`${error.name}: ${error.message}`);
    throw error;
  } finally {
    lambda.destroy();
  }
}
