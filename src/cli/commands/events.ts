/**
 * `jeff events tail [--all] [--json]`: the change events Jeff announces — every mutating call as
 * "AWS API Call via CloudTrail", and the services' own events — printed live as they commit. It
 * follows the server across restarts, resuming after the last event it printed, so an event
 * committed just before a crash is printed once the server is back.
 */
import { type IncomingMessage, request } from "node:http";
import { targetFor } from "../deployer.js";
import { CliError, createOutput } from "../output.js";
import { dataDirFor } from "../project.js";
import { signedRouteRequest } from "../signed-route.js";

export interface EventsFlags {
  all?: boolean;
  json?: boolean;
  dataDir?: string;
  endpoint?: string;
  /** Watch this bus's events instead of the change events. */
  bus?: string;
  /** Only the bus's events that match this event pattern. */
  pattern?: string;
}

/** An event, or (first on each connection) the position the stream starts from. */
interface StreamLine {
  readonly seq: number;
  readonly event?: {
    readonly time: string;
    readonly source: string;
    readonly "detail-type": string;
    readonly detail?: {
      eventName?: string;
      errorCode?: string;
      /** CloudFormation's status changes. */
      "stack-id"?: string;
      "logical-resource-id"?: string;
      "status-details"?: { status?: string };
    };
  };
}

/** How long to wait before reconnecting to a server that went away. */
const reconnectMs = 500;

export async function runEventsTail(flags: EventsFlags): Promise<void> {
  if (flags.bus !== undefined || flags.pattern !== undefined) return runBusTail(flags);
  const out = createOutput(flags.json === true);
  const dataDir = dataDirFor(process.cwd(), flags.dataDir);
  let after: number | undefined = flags.all ? 0 : undefined;
  let stopped = false;
  let current: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    current?.();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let warned = false;
  while (!stopped) {
    try {
      await follow(
        dataDir,
        flags.endpoint,
        after,
        (line) => {
          // The position comes first: a reconnect resumes there even if no event came meanwhile.
          after = line.seq;
          warned = false;
          if (!line.event) return;
          process.stdout.write(
            out.json ? `${JSON.stringify(line.event)}\n` : `${describe(line.event, out.dim)}\n`,
          );
        },
        (cancel) => {
          current = cancel;
        },
      );
    } catch (error) {
      if (!warned)
        process.stderr.write(`jeff events: waiting for the server (${(error as Error).message})\n`);
      warned = true;
    }
    if (!stopped) await new Promise((resolve) => setTimeout(resolve, reconnectMs));
  }
}

function describe(event: NonNullable<StreamLine["event"]>, dim: (text: string) => string): string {
  const call = event.detail?.eventName ? ` ${event.detail.eventName}` : "";
  const failed = event.detail?.errorCode ? ` (${event.detail.errorCode})` : "";
  return `${dim(event.time)} ${event.source} ${event["detail-type"]}${call}${failed}${statusOf(event.detail)}`;
}

/** A CloudFormation status change's subject and status: ` Greeting CREATE_COMPLETE`. */
function statusOf(detail: NonNullable<StreamLine["event"]>["detail"]): string {
  const status = detail?.["status-details"]?.status;
  if (status === undefined) return "";
  // A stack's id is arn:…:stack/NAME/UUID; a resource goes by its logical id.
  const subject = detail?.["logical-resource-id"] ?? detail?.["stack-id"]?.split("/")[1] ?? "";
  return ` ${subject} ${status}`;
}

/** Calls `onLine` with each non-blank line of an NDJSON stream as it arrives. */
function eachLine(res: IncomingMessage, onLine: (text: string) => void): void {
  let buffered = "";
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline !== -1) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (text.trim() !== "") onLine(text);
      newline = buffered.indexOf("\n");
    }
  });
}

/** One connection: resolves when the server closes it, rejects when it cannot be made. */
async function follow(
  dataDir: string,
  endpoint: string | undefined,
  after: number | undefined,
  onLine: (line: StreamLine) => void,
  onCancel: (cancel: () => void) => void,
): Promise<void> {
  const target = await targetFor(dataDir, endpoint);
  const { url, headers } = await signedRouteRequest(
    target,
    "/_jeff/events",
    after === undefined ? {} : { after: String(after) },
  );
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: "GET", headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`the server answered ${res.statusCode}`));
        return;
      }
      eachLine(res, (text) => onLine(JSON.parse(text) as StreamLine));
      res.on("end", () => resolve());
      res.on("error", () => resolve());
      res.on("close", () => resolve());
    });
    req.on("error", reject);
    onCancel(() => req.destroy());
    req.end();
  });
}

/**
 * `jeff events tail --bus B [--pattern P]`: the events put on a bus, live, filtered by an event
 * pattern, as the server routes them; reconnects when the server goes away (what was put
 * meanwhile is not shown: a bus keeps no history but its archives).
 */
async function runBusTail(flags: EventsFlags): Promise<void> {
  const out = createOutput(flags.json === true);
  const dataDir = dataDirFor(process.cwd(), flags.dataDir);
  const query: Record<string, string> = { bus: flags.bus ?? "default" };
  if (flags.pattern !== undefined) query.pattern = flags.pattern;
  let stopped = false;
  let cancel: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    cancel?.();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let warned = false;
  while (!stopped) {
    try {
      const target = await targetFor(dataDir, flags.endpoint);
      const { url, headers } = await signedRouteRequest(target, "/_jeff/events/bus", query);
      await new Promise<void>((resolve, reject) => {
        const req = request(url, { method: "GET", headers }, (res) => {
          if (res.statusCode !== 200) {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => {
              body += chunk;
            });
            res.on("end", () => {
              const message = (JSON.parse(body || "{}") as { message?: string }).message;
              reject(new CliError(message ?? `the server answered ${res.statusCode}`));
            });
            return;
          }
          warned = false;
          eachLine(res, (text) => {
            const { event } = JSON.parse(text) as { event: NonNullable<StreamLine["event"]> };
            process.stdout.write(out.json ? `${JSON.stringify(event)}\n` : `${describe(event, out.dim)}\n`);
          });
          res.on("end", () => resolve());
          res.on("close", () => resolve());
        });
        req.on("error", reject);
        cancel = () => req.destroy();
        req.end();
      });
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (!warned)
        process.stderr.write(`jeff events: waiting for the server (${(error as Error).message})\n`);
      warned = true;
    }
    if (!stopped) await new Promise((resolve) => setTimeout(resolve, reconnectMs));
  }
}
