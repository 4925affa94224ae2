/** What tests of templates share: a CloudFormation client for a Jeff, and a stack's settled state. */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import type { JeffProcess } from "./jeff-process.js";
import { until } from "./until.js";

export function cloudFormationClientFor(jeff: Pick<JeffProcess, "url" | "region" | "credentials">) {
  return new CloudFormationClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
}

/** The stack once its operation has ended: its status and its outputs by key. */
export async function settledStack(cloudformation: CloudFormationClient, name: string) {
  let stack: { StackStatus?: string; Outputs?: { OutputKey?: string; OutputValue?: string }[] } = {};
  await until(
    async () => {
      const got = await cloudformation.send(new DescribeStacksCommand({ StackName: name }));
      stack = got.Stacks?.[0] ?? {};
      return !stack.StackStatus?.endsWith("_IN_PROGRESS");
    },
    `stack ${name} never finished`,
    60_000,
  );
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  return { status: stack.StackStatus, outputs };
}
