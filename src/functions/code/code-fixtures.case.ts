/** What the code tests share: an account and a function's settings to record functions with. */
export const scope = { accountId: "111122223333", region: "us-east-1" };

export const functionSettings = {
  runtime: "nodejs20.x",
  handler: "index.handler",
  role: `arn:aws:iam::${scope.accountId}:role/r`,
  description: "",
  timeout: 3,
  memorySize: 128,
  environment: {},
  options: {},
  tags: {},
};
