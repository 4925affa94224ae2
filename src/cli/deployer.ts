/**
 * Deploying through the CloudFormation API of a running Jeff, the way `sam deploy` does against
 * AWS: create or update, follow the stack's events until it settles, report the outcome.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type StackEvent,
  type Output as StackOutput,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import { packageUploadPath } from "../functions/index.js";
import { defaultRegion } from "../server/defaults.js";
import { envVars } from "../server/env-vars.js";
import { CliError, type Output } from "./output.js";
import { dataDirFor, readInstallation, runningServer } from "./project.js";
import { callSignedRoute } from "./signed-route.js";

export interface DeployTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/**
 * The Jeff a command talks to: the one at `endpoint` (`--endpoint`, else `$JEFF_ENDPOINT`) as the
 * user whose keys the environment holds, as for the AWS CLI; else the one serving this data
 * directory, with the developer's credentials from its store.
 */
export async function targetFor(
  dataDir: string,
  endpoint: string | undefined = process.env[envVars.endpoint] || undefined,
): Promise<DeployTarget> {
  if (endpoint !== undefined) return remoteTarget(endpoint);
  const server = await runningServer(dataDir);
  if (!server)
    throw new CliError(
      `no Jeff is running for ${dataDir}: start one with \`jeff serve\` (or use \`jeff dev\`)`,
    );
  const { accessKeyId, secretAccessKey } = (await readInstallation(dataDir)).developerKey;
  return { endpoint: server.url, region: server.region, credentials: { accessKeyId, secretAccessKey } };
}

/** The Jeff a client command's `--data-dir` and `--endpoint` name, from the current folder. */
export function targetOf(flags: {
  readonly dataDir?: string;
  readonly endpoint?: string;
}): Promise<DeployTarget> {
  return targetFor(dataDirFor(process.cwd(), flags.dataDir), flags.endpoint);
}

/**
 * A Jeff on another machine, known by its URL and a user's keys: by default the keys the
 * environment holds, as the AWS CLI would take them.
 */
export function remoteTarget(
  endpoint: string,
  credentials: DeployTarget["credentials"] = environmentCredentials(),
): DeployTarget {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CliError(`--endpoint must be a URL such as http://jeff.example:4566, not '${endpoint}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new CliError(`--endpoint must be an http:// or https:// URL, not '${endpoint}'`);
  const env = process.env;
  return {
    endpoint: url.origin,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || defaultRegion,
    credentials,
  };
}

function environmentCredentials(): DeployTarget["credentials"] {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  if (!accessKeyId || !secretAccessKey)
    throw new CliError(
      "talking to the Jeff at --endpoint needs a user's keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (`jeff env` prints them on the server's machine)",
    );
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** Sends a deployment package to the Jeff at `target`, which keeps it; answers the location templates name it by. */
export async function uploadPackage(target: DeployTarget, zip: Buffer): Promise<string> {
  const answer = await callSignedRoute(target, packageUploadPath, { method: "PUT", body: zip });
  return (JSON.parse(answer) as { Location: string }).Location;
}

function client(target: DeployTarget): CloudFormationClient {
  return new CloudFormationClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    maxAttempts: 1,
  });
}

export interface DeployRequest {
  readonly stackName: string;
  readonly templateBody: string;
  readonly parameters: Readonly<Record<string, string>>;
}

export interface DeployOutcome {
  readonly stackName: string;
  readonly status: string;
  readonly ok: boolean;
  readonly changed: boolean;
  readonly reason?: string;
  readonly outputs: Record<string, string>;
}

const pollMs = 100;

export async function deployStack(
  target: DeployTarget,
  request: DeployRequest,
  out: Output,
): Promise<DeployOutcome> {
  const cfn = client(target);
  try {
    let existing = await describe(cfn, request.stackName);
    if (existing?.StackStatus === "ROLLBACK_COMPLETE") {
      out.note(
        `${request.stackName} never finished its first create (ROLLBACK_COMPLETE); deleting it before creating it again`,
      );
      // Only the deletion's events: the failed attempt's were shown when it failed.
      const shown = new Set((await events(cfn, existing.StackId!)).map((e) => e.EventId!));
      await cfn.send(new DeleteStackCommand({ StackName: request.stackName }));
      await follow(cfn, existing.StackId!, shown, out);
      existing = undefined;
    }
    const seen = new Set<string>();
    if (existing) {
      for (const event of await events(cfn, existing.StackId!)) seen.add(event.EventId!);
    }
    const input = {
      StackName: request.stackName,
      TemplateBody: request.templateBody,
      Parameters: Object.entries(request.parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    };
    let stackId: string;
    if (existing) {
      try {
        stackId = (await cfn.send(new UpdateStackCommand(input))).StackId!;
      } catch (error) {
        if (error instanceof Error && error.message === "No updates are to be performed.") {
          return outcome(request.stackName, existing.StackStatus ?? "", false, existing.Outputs);
        }
        throw error;
      }
    } else {
      stackId = (await cfn.send(new CreateStackCommand(input))).StackId!;
    }
    const final = await follow(cfn, stackId, seen, out);
    return outcome(request.stackName, final.StackStatus ?? "", true, final.Outputs, final.StackStatusReason);
  } catch (error) {
    throw asCliError(error);
  } finally {
    cfn.destroy();
  }
}

export async function deleteStack(
  target: DeployTarget,
  stackName: string,
  out: Output,
): Promise<DeployOutcome> {
  const cfn = client(target);
  try {
    const existing = await describe(cfn, stackName);
    if (!existing) throw new CliError(`stack ${stackName} does not exist`);
    const seen = new Set((await events(cfn, existing.StackId!)).map((e) => e.EventId!));
    await cfn.send(new DeleteStackCommand({ StackName: stackName }));
    const final = await follow(cfn, existing.StackId!, seen, out);
    return outcome(stackName, final.StackStatus ?? "", true, [], final.StackStatusReason);
  } catch (error) {
    throw asCliError(error);
  } finally {
    cfn.destroy();
  }
}

function outcome(
  stackName: string,
  status: string,
  changed: boolean,
  outputs: StackOutput[] = [],
  reason?: string,
): DeployOutcome {
  const ok = !/FAILED|ROLLBACK/.test(status);
  return {
    stackName,
    status,
    ok,
    changed,
    ...(reason ? { reason } : {}),
    outputs: Object.fromEntries(outputs.map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""])),
  };
}

async function describe(cfn: CloudFormationClient, stackName: string) {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
    throw error;
  }
}

async function events(cfn: CloudFormationClient, stackId: string): Promise<StackEvent[]> {
  return (await cfn.send(new DescribeStackEventsCommand({ StackName: stackId }))).StackEvents ?? [];
}

/** Prints the stack's new events, oldest first, until its status stops being *_IN_PROGRESS. */
async function follow(cfn: CloudFormationClient, stackId: string, seen: Set<string>, out: Output) {
  for (;;) {
    const fresh = (await events(cfn, stackId)).filter((e) => !seen.has(e.EventId!)).reverse();
    for (const event of fresh) {
      seen.add(event.EventId!);
      const status = event.ResourceStatus ?? "";
      const paint = /FAILED|ROLLBACK/.test(status)
        ? out.red
        : status.endsWith("COMPLETE")
          ? out.green
          : (t: string) => t;
      out.note(
        `${paint(status.padEnd(36))} ${(event.ResourceType ?? "").padEnd(28)} ${event.LogicalResourceId ?? ""}${
          event.ResourceStatusReason ? out.dim(`  ${event.ResourceStatusReason}`) : ""
        }`,
      );
    }
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0];
    if (stack && !stack.StackStatus?.endsWith("_IN_PROGRESS")) {
      if (fresh.length === 0) return stack;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function asCliError(error: unknown): Error {
  if (error instanceof CliError) return error;
  if (error instanceof Error && "$metadata" in error) return new CliError(`${error.name}: ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}
