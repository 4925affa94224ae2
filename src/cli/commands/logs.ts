/** `jeff logs FUNCTION [--follow] [--since 10m]`: a function's log lines, as `aws logs tail` shows them. */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from "@aws-sdk/client-cloudwatch-logs";
import { targetOf } from "../deployer.js";
import { CliError, createOutput } from "../output.js";

export interface LogsFlags {
  follow?: boolean;
  since?: string;
  dataDir?: string;
  endpoint?: string;
  json?: boolean;
}

/** `10m`, `2h`, `30s`, `1d` → milliseconds. */
export function parseSince(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) throw new CliError(`--since takes a number and a unit (s, m, h or d), e.g. 10m; not '${text}'`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

const pollMs = 1000;

export async function runLogs(name: string, flags: LogsFlags): Promise<void> {
  const out = createOutput(flags.json === true);
  const sinceMs = parseSince(flags.since ?? "10m");
  const target = await targetOf(flags);
  const logs = new CloudWatchLogsClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: target.credentials,
    maxAttempts: 1,
  });
  const logGroupName = name.startsWith("/") ? name : `/aws/lambda/${name}`;
  const seen = new Set<string>();
  let startTime = Date.now() - sinceMs;
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once("SIGINT", stop);
  try {
    do {
      let nextToken: string | undefined;
      do {
        let page: FilterLogEventsCommandOutput;
        try {
          page = await logs.send(
            new FilterLogEventsCommand({ logGroupName, startTime, ...(nextToken ? { nextToken } : {}) }),
          );
        } catch (error) {
          if (error instanceof Error && error.name === "ResourceNotFoundException" && flags.follow) break;
          if (error instanceof Error && error.name === "ResourceNotFoundException") {
            throw new CliError(`no logs for ${name} yet (${logGroupName}): invoke it first`);
          }
          throw error;
        }
        for (const event of page.events ?? []) {
          if (seen.has(event.eventId ?? "")) continue;
          seen.add(event.eventId ?? "");
          startTime = Math.max(startTime, event.timestamp ?? startTime);
          if (out.json)
            process.stdout.write(
              `${JSON.stringify({ timestamp: event.timestamp, stream: event.logStreamName, message: event.message?.replace(/\n$/, "") })}\n`,
            );
          else
            process.stdout.write(
              `${out.dim(new Date(event.timestamp ?? 0).toISOString())} ${event.message?.replace(/\n$/, "") ?? ""}\n`,
            );
        }
        nextToken = page.nextToken;
      } while (nextToken && !stopped);
      if (flags.follow && !stopped) await new Promise((resolve) => setTimeout(resolve, pollMs));
    } while (flags.follow && !stopped);
  } finally {
    process.off("SIGINT", stop);
    logs.destroy();
  }
}
