// The starter function. The template hands it the Greeting parameter's value as GREETING.
export interface HelloEvent {
  readonly name?: string;
}

export interface HelloResult {
  readonly message: string;
  readonly stage: string;
}

export async function handler(event: HelloEvent): Promise<HelloResult> {
  const who = event.name ?? "world";
  return { message: `${process.env.GREETING ?? "Hello"}, ${who}!`, stage: process.env.STAGE ?? "dev" };
}
