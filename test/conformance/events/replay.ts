/**
 * Replaying AWS's recorded EventBridge tests against Jeff. Each recorded test (a key of
 * recorded/events/<file>.snapshot.json) was made by a test of localstack/localstack at 8b9a79f0,
 * tests/aws/services/events/<file>.py; a case here makes the same calls through the AWS SDK v3 and
 * hands each answer to `match` under the label the test used, shaped as botocore shaped it
 * (recorded-replay.ts).
 *
 * Many of those tests read what a rule delivered from an SQS queue. Jeff has no queue service, so
 * where the thing tested is the pattern, the input or the envelope, a case delivers to a function
 * instead (`window()`), which reports what it received to the runner's collector; its reports are
 * shaped as SQS messages (`Body` the text received), to compare with the recorded ones.
 */
import { createHash, randomUUID } from "node:crypto";
import * as eventsSdk from "@aws-sdk/client-eventbridge";
import {
  CreateEventBusCommand,
  type CreateEventBusCommandInput,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  type PutRuleCommandInput,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { DeleteFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { createNodeFunction } from "../../integration/lambda-helpers.js";
import { until } from "../../integration/until.js";
import { type Answer, RecordedReplay, type ReplayJeff, shortUid } from "../recorded-replay.js";

export { type Answer, shortUid };

/** What a window function reported: which window, and the event it was invoked with. */
export interface WindowReport {
  readonly window: string;
  readonly event: unknown;
}

/** The runner's collector: where window functions report, and what they reported so far. */
export interface Collector {
  readonly url: string;
  readonly reports: readonly WindowReport[];
}

/** A function target standing in for the SQS queue a recorded test read its deliveries from. */
export interface Window {
  readonly arn: string;
  /** The messages received so far, once there are at least `count`, as SQS would hold them. */
  messages(count: number): Promise<Answer[]>;
  /** Everything received so far, as SQS messages. */
  received(): Answer[];
  /** The events received so far, once there are at least `count`, as the function got them. */
  events(count: number): Promise<unknown[]>;
}

const windowSource = (name: string) => `export const handler = async (event) => {
  await (await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ window: ${JSON.stringify(name)}, event }) })).text();
  return "ok";
};`;

/** What a case has while it runs: an EventBridge client for Jeff and the tests' fixtures. */
export class Replay extends RecordedReplay {
  readonly events: EventBridgeClient;
  private lambdaClient: LambdaClient | undefined;

  constructor(
    jeff: ReplayJeff,
    private readonly collector: Collector,
  ) {
    // botocore reads no member of EventBridge's errors into the answer beyond Code and Message.
    super(jeff, {});
    this.events = this.client(EventBridgeClient);
  }

  get lambda(): LambdaClient {
    this.lambdaClient ??= this.client(LambdaClient);
    return this.lambdaClient;
  }

  /**
   * `aws_client.events.<clientFn>(**input)`: the operation botocore names so (snake_case), sent
   * with `client` (another Region's, say) or this replay's.
   */
  call(clientFn: string, input: object = {}, client = this.events): Promise<object> {
    const pascal = clientFn.replace(/(^|_)([a-z0-9])/g, (_, _sep, c: string) => c.toUpperCase());
    const Command = (eventsSdk as unknown as Record<string, new (input: unknown) => unknown>)[
      `${pascal}Command`
    ];
    if (!Command) throw new Error(`no EventBridge operation ${clientFn}`);
    return client.send(new Command(input) as Parameters<EventBridgeClient["send"]>[0]);
  }

  /** The call's answer; a failure fails the case. */
  send(clientFn: string, input: object = {}): Promise<Answer> {
    return this.ok(this.call(clientFn, input));
  }

  /** The call's error; a success fails the case. */
  refuse(clientFn: string, input: object = {}): Promise<Answer> {
    return this.fails(this.call(clientFn, input));
  }

  busArn(name: string, region = this.region): string {
    return `arn:aws:events:${region}:${this.accountId}:event-bus/${name}`;
  }

  ruleArn(name: string, bus = "default"): string {
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${bus === "default" ? "" : `${bus}/`}${name}`;
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}`;
  }

  /** The fixture `events_create_event_bus`: creates the bus, deletes it after the case. */
  async createEventBus(input: CreateEventBusCommandInput): Promise<Answer> {
    const created = await this.ok(this.events.send(new CreateEventBusCommand(input)));
    this.afterwards(() => this.events.send(new DeleteEventBusCommand({ Name: input.Name })));
    return created;
  }

  /** The fixture `events_create_default_or_custom_event_bus`: the bus's name and ARN. */
  async defaultOrCustomBus(type: "default" | "custom"): Promise<{ name: string; arn: string }> {
    if (type === "default") return { name: "default", arn: this.busArn("default") };
    const name = `test-bus-${shortUid()}`;
    const created = await this.createEventBus({ Name: name });
    return { name, arn: created.EventBusArn as string };
  }

  /** The fixture `events_put_rule`: puts the rule; after the case removes its targets and it. */
  async putRule(input: PutRuleCommandInput): Promise<Answer> {
    const put = await this.ok(this.events.send(new PutRuleCommand(input)));
    this.afterwards(async () => {
      const bus = input.EventBusName;
      const targets = await this.events.send(
        new ListTargetsByRuleCommand({ Rule: input.Name, EventBusName: bus }),
      );
      const ids = (targets.Targets ?? []).map((t) => t.Id!);
      if (ids.length > 0) {
        await this.events.send(new RemoveTargetsCommand({ Rule: input.Name, EventBusName: bus, Ids: ids }));
      }
      await this.events.send(new DeleteRuleCommand({ Name: input.Name, EventBusName: bus }));
    });
    return put;
  }

  /** A function reporting what it receives, in place of `sqs_as_events_target()`'s queue. */
  async window(): Promise<Window> {
    const name = `window-${shortUid()}`;
    await createNodeFunction(this.lambda, this.accountId, name, windowSource(name), {
      Environment: { Variables: { COLLECTOR: this.collector.url } },
    });
    this.afterwards(() => this.lambda.send(new DeleteFunctionCommand({ FunctionName: name })));
    const events = () =>
      this.collector.reports.filter((report) => report.window === name).map((report) => report.event);
    const arrived = (count: number) =>
      until(() => events().length >= count, `${count} deliveries to ${name}`);
    return {
      arn: this.functionArn(name),
      received: () => events().map(sqsMessage),
      messages: async (count) => {
        await arrived(count);
        return events().map(sqsMessage);
      },
      events: async (count) => {
        await arrived(count);
        return events();
      },
    };
  }

  /**
   * `put_entries_assert_results_sqs` through a window: puts the entries (each with the bus), and
   * when they should match waits for their message and answers the messages received since.
   */
  async putAndCollect(
    window: Window,
    entries: readonly PutEventsRequestEntry[],
    shouldMatch: boolean,
  ): Promise<Answer[]> {
    const before = window.received().length;
    const put = await this.send("put_events", { Entries: entries });
    if (put.FailedEntryCount) throw new Error(`PutEvents failed entries: ${JSON.stringify(put.Entries)}`);
    if (!shouldMatch) return [];
    return (await window.messages(before + 1)).slice(before);
  }

  /**
   * The fixture `put_events_with_filter_to_sqs`, through a window: a bus (made unless named), a
   * rule with `pattern`, the window as its target (with the input settings given), then each
   * group of entries put and, when it should match, its message collected.
   */
  async putEventsWithFilter(options: {
    pattern: object;
    entriesAsserts: ReadonlyArray<readonly [entries: PutEventsRequestEntry[], shouldMatch: boolean]>;
    eventBusName?: string;
    inputPath?: string;
    inputTransformer?: object;
  }): Promise<Answer[]> {
    const rule = `test-rule-${shortUid()}`;
    const bus = options.eventBusName ?? `test-bus-${shortUid()}`;
    if (options.eventBusName === undefined) await this.createEventBus({ Name: bus });
    const window = await this.window();
    await this.putRule({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(options.pattern) });
    const put = await this.send("put_targets", {
      Rule: rule,
      EventBusName: bus,
      Targets: [
        {
          Id: `test-target-${shortUid()}`,
          Arn: window.arn,
          ...(options.inputPath ? { InputPath: options.inputPath } : {}),
          ...(options.inputTransformer ? { InputTransformer: options.inputTransformer } : {}),
        },
      ],
    });
    if (put.FailedEntryCount !== 0)
      throw new Error(`PutTargets failed: ${JSON.stringify(put.FailedEntries)}`);
    const messages: Answer[] = [];
    for (const [entries, shouldMatch] of options.entriesAsserts) {
      const withBus = entries.map((entry) => ({ ...entry, EventBusName: bus }));
      messages.push(...(await this.putAndCollect(window, withBus, shouldMatch)));
    }
    return messages;
  }
}

/**
 * A delivered event as SQS would hold it: its text as `Body`, and the message's own ids. A
 * function receives only JSON, parsed (a template filled in as a JSON string arrives as a string),
 * so its text is the JSON again: AWS delivers JSON minified.
 */
function sqsMessage(event: unknown): Answer {
  const body = JSON.stringify(event);
  return {
    MessageId: randomUUID(),
    ReceiptHandle: randomUUID(),
    MD5OfBody: createHash("md5").update(body).digest("hex"),
    Body: body,
  };
}
