// Jeff SIGKILLed in the middle of a stack operation: on restart the stack is rolled back and
// nothing it half-created is left behind.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { until } from "./until.js";

/** Enough resources that the background work is still going when the kill lands. */
function manyParameters(prefix: string, count: number, value: string): string {
  const resources = Array.from(
    { length: count },
    (_, i) =>
      `  P${i}:\n    Type: AWS::SSM::Parameter\n    Properties: { Name: /${prefix}/p${i}, Type: String, Value: "${value}" }\n`,
  );
  return `Resources:\n${resources.join("")}`;
}

let dataDir: string;
let jeff: JeffProcess;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "jeff-recovery-"));
});
afterAll(async () => {
  await jeff?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function clients(j: JeffProcess) {
  const config = { endpoint: j.url, region: j.region, credentials: j.credentials };
  return { cfn: new CloudFormationClient(config), ssm: new SSMClient(config) };
}

/** The stack's status once its operation is over, however long the machine takes to get there. */
async function settled(cfn: CloudFormationClient, stackName: string): Promise<string> {
  let status = "";
  await until(
    async () => {
      status =
        (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus ?? "";
      return !status.endsWith("_IN_PROGRESS");
    },
    () => `${stackName} to settle (still ${status})`,
    300_000,
  );
  return status;
}

async function values(ssm: SSMClient, prefix: string, count: number): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (let i = 0; i < count; i++) {
    try {
      out.push((await ssm.send(new GetParameterCommand({ Name: `/${prefix}/p${i}` }))).Parameter?.Value);
    } catch (error) {
      if ((error as Error).name !== "ParameterNotFound") throw error;
      out.push(undefined);
    }
  }
  return out;
}

/** Resolves once a resource of the stack's operation has moved: the operation has begun. */
async function begun(cfn: CloudFormationClient, stackName: string, eventsBefore: number): Promise<void> {
  await until(
    async () => {
      const events =
        (await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }))).StackEvents ?? [];
      return events.length > eventsBefore && events.some((e) => e.LogicalResourceId !== stackName);
    },
    () => `${stackName}'s operation to begin`,
    300_000,
  );
}

async function eventCount(cfn: CloudFormationClient, stackName: string): Promise<number> {
  return ((await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }))).StackEvents ?? [])
    .length;
}

/**
 * SIGKILL, then a new server on the same data. Called once the operation has begun (`begun`): a
 * kill that lands before it begins leaves a job that simply starts it after the restart.
 */
async function restartAfterKill(): Promise<JeffProcess> {
  await jeff.stop("SIGKILL");
  jeff = await startJeff({ dataDir });
  return jeff;
}

it("rolls back a create that was killed halfway, deleting what it had made", async () => {
  jeff = await startJeff({ dataDir });
  const before = clients(jeff).cfn;
  await before.send(
    new CreateStackCommand({ StackName: "crashed", TemplateBody: manyParameters("crashed", 300, "v1") }),
  );
  await begun(before, "crashed", 0);
  const { cfn, ssm } = clients(await restartAfterKill());

  expect(await settled(cfn, "crashed")).toBe("ROLLBACK_COMPLETE");
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "crashed" }))).StackEvents ?? [];
  expect(events.some((e) => e.ResourceStatusReason === "Jeff stopped during the operation")).toBe(true);
  expect((await values(ssm, "crashed", 300)).filter((v) => v !== undefined)).toEqual([]);
}, 600_000);

it("rolls back an update that was killed halfway, restoring every value it had changed", async () => {
  let { cfn, ssm } = clients(jeff);
  await cfn.send(
    new CreateStackCommand({ StackName: "steady", TemplateBody: manyParameters("steady", 20, "before") }),
  );
  expect(await settled(cfn, "steady")).toBe("CREATE_COMPLETE");
  const eventsBefore = await eventCount(cfn, "steady");
  await cfn.send(
    new UpdateStackCommand({ StackName: "steady", TemplateBody: manyParameters("steady", 300, "after") }),
  );
  await begun(cfn, "steady", eventsBefore + 1);
  ({ cfn, ssm } = clients(await restartAfterKill()));

  expect(await settled(cfn, "steady")).toBe("UPDATE_ROLLBACK_COMPLETE");
  const after = await values(ssm, "steady", 300);
  expect(after.slice(0, 20)).toEqual(Array(20).fill("before"));
  expect(after.slice(20).filter((v) => v !== undefined)).toEqual([]);
}, 600_000);
