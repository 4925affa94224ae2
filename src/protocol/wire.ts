/** The bytes the edge writes back: every protocol serialiser produces one of these. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

export const jsonContentType = {
  awsJson1_0: "application/x-amz-json-1.0",
  awsJson1_1: "application/x-amz-json-1.1",
  restJson1: "application/json",
} as const;
