// test_lambda_destinations.py::TestLambdaDestinationEventbridge: an asynchronous invocation's
// outcome put on a bus (OnSuccess and OnFailure), seen by a function a rule on that bus invokes.
// The test builds its stack with the CDK; this makes the same resources with the SDK: a bus, the
// input function (Python 3.12, no retries, both destinations the bus), the triggered function, a
// rule matching every event (`version: ["0"]`) with the triggered function as its target, and the
// permission the CDK grants EventBridge to invoke it.
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  AddPermissionCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

const inputCode = `
def handler(event, context):
    if event.get("mode") == "failure":
        raise Exception("intentional failure!")
    else:
        return {
            "hello": "world",
            "test": "abc",
            "val": 5,
            "success": True
        }
`;

const triggeredCode = `
import json

def handler(event, context):
    print(json.dumps(event))
    return {"invocation": True}
`;

/** The event the triggered function printed for the invocation whose payload had `mode`. */
async function forwarded(r: Replay, triggered: string, mode: string): Promise<Record<string, unknown>> {
  const events = await r.logEvents(triggered, (found) =>
    found.some((e) => e.message?.includes("detail-type") && e.message.includes(mode)),
  );
  const line = events.find((e) => e.message?.includes("detail-type") && e.message.includes(mode))!;
  return JSON.parse(line.message!) as Record<string, unknown>;
}

export const cases: ReplayCase[] = [
  replayed(
    "test_lambda_destinations",
    "TestLambdaDestinationEventbridge::test_invoke_lambda_eventbridge",
    async (r) => {
      const events = r.client(EventBridgeClient);
      const id = shortUid();
      const busName = `EventbridgeStackCustomEventBus${id}`;
      const inputName = `EventbridgeStack-InputLambda${id}`;
      const triggeredName = `EventbridgeStack-TriggeredLambda${id}`;
      const ruleName = `CustomRule${id}`;
      const bus = (await events.send(new CreateEventBusCommand({ Name: busName }))).EventBusArn!;
      r.afterwards(() => events.send(new DeleteEventBusCommand({ Name: busName })));
      const handler = { Handler: "index.handler", Runtime: "python3.12" } as const;
      await r.createFunction({ funcName: inputName, ...handler, files: { "index.py": inputCode } });
      const triggered = await r.createFunction({
        funcName: triggeredName,
        ...handler,
        files: { "index.py": triggeredCode },
      });
      await r.lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: inputName,
          Qualifier: "$LATEST",
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnSuccess: { Destination: bus }, OnFailure: { Destination: bus } },
        }),
      );
      const rule = await events.send(
        new PutRuleCommand({ Name: ruleName, EventBusName: busName, EventPattern: '{"version":["0"]}' }),
      );
      r.afterwards(() => events.send(new DeleteRuleCommand({ Name: ruleName, EventBusName: busName })));
      const triggeredArn = (triggered.CreateFunctionResponse as { FunctionArn: string }).FunctionArn;
      await r.lambda.send(
        new AddPermissionCommand({
          FunctionName: triggeredName,
          StatementId: "events",
          Action: "lambda:InvokeFunction",
          Principal: "events.amazonaws.com",
          SourceArn: rule.RuleArn,
        }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: ruleName,
          EventBusName: busName,
          Targets: [{ Id: "Target0", Arn: triggeredArn }],
        }),
      );
      r.afterwards(() =>
        events.send(new RemoveTargetsCommand({ Rule: ruleName, EventBusName: busName, Ids: ["Target0"] })),
      );
      r.regex(busName, "<event-bus-name>");
      r.regex(triggeredName, "<trigger-fn-name>");
      r.regex(inputName, "<input-fn-name>");
      for (const mode of ["success", "failure"]) {
        await r.lambda.send(
          new InvokeCommand({
            FunctionName: inputName,
            Payload: `{"mode": "${mode}"}`,
            InvocationType: "Event",
          }),
        );
        r.match(`lambda_destination_event_bus_${mode}`, await forwarded(r, triggeredName, mode));
      }
    },
  ),
];
