// The starter function. Once Jeff runs functions (AWS::Serverless::Function), the template wires it
// to the Greeting parameter through the GREETING_PARAMETER environment variable.
export interface HelloEvent {
  readonly name?: string;
}

export async function handler(event: HelloEvent): Promise<{ message: string }> {
  const who = event.name ?? "world";
  return { message: `Hello, ${who}!` };
}
