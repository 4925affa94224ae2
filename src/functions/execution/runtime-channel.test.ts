import { expect, it } from "vitest";
import { ChannelProtocolError, FrameReader, frameParts } from "./runtime-channel.js";

const frame = (head: object, body: string) => Buffer.concat(frameParts(head, Buffer.from(body)));

it("reads frames however the bytes are cut: one at a time, or several frames in one chunk", () => {
  const bytes = Buffer.concat([frame({ k: "next" }, ""), frame({ k: "response", id: "a" }, '{"ok":true}')]);
  const reader = new FrameReader(100);
  const byByte = [...bytes].flatMap((byte) => reader.push(Buffer.from([byte])));
  const whole = new FrameReader(100).push(bytes);
  for (const frames of [byByte, whole]) {
    expect(frames.map((f) => ({ head: f.head, body: f.body?.toString() }))).toEqual([
      { head: { k: "next" }, body: "" },
      { head: { k: "response", id: "a" }, body: '{"ok":true}' },
    ]);
  }
});

it("skips a body over the limit without holding it, and reads the next frame whole", () => {
  const reader = new FrameReader(10);
  const big = frame({ k: "response", id: "a" }, "x".repeat(1000));
  const after = frame({ k: "next" }, "");
  const frames = [
    ...reader.push(big.subarray(0, 30)),
    ...reader.push(big.subarray(30, 700)),
    ...reader.push(Buffer.concat([big.subarray(700), after])),
  ];
  expect(frames).toEqual([
    { head: { k: "response", id: "a" }, body: undefined },
    { head: { k: "next" }, body: Buffer.alloc(0) },
  ]);
});

it("refuses a head that is too long or is not a JSON object", () => {
  const huge = Buffer.alloc(8);
  huge.writeUInt32LE(1 << 30, 0);
  expect(() => new FrameReader(10).push(huge)).toThrow(ChannelProtocolError);
  const notJson = Buffer.concat(frameParts({}, Buffer.alloc(0)));
  notJson.write("[]", 8);
  expect(() => new FrameReader(10).push(notJson)).toThrow(ChannelProtocolError);
});
