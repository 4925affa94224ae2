/** Written beside the store while the server runs, so `jeff env` and `jeff deploy` can find it. */
export const serverInfoFile = "server.json";

export interface ServerInfo {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly startedAt: string;
}
