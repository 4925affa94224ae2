import { expect, it } from "vitest";
import { ChannelProtocolError, FrameReader, frameParts, type RuntimeFrame } from "./runtime-channel.js";

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

it("gives the same frames for any cutting of the stream, bodies over the limit among them", () => {
  const frames = [
    frame({ k: "next" }, ""),
    frame({ k: "response", id: "a", s: 1 }, "x".repeat(50)),
    frame({ k: "error", id: "b", t: "Oops" }, "y".repeat(500)),
    frame({ k: "init-error" }, ""),
    frame({ k: "response", id: "c" }, "z".repeat(64)),
  ];
  const bytes = Buffer.concat(frames);
  const read = (cuts: number[]) => {
    const reader = new FrameReader(64);
    const out: RuntimeFrame[] = [];
    let from = 0;
    for (const to of [...cuts, bytes.length]) {
      out.push(...reader.push(bytes.subarray(from, to)));
      from = to;
    }
    return out.map((f) => ({ head: f.head, body: f.body?.toString() }));
  };
  const whole = read([]);
  expect(whole.map((f) => f.body?.length)).toEqual([0, 50, undefined, 0, 64]);
  // A deterministic spread of cut points, from many small pieces to a few large ones.
  for (let step = 1; step < 97; step += 7) {
    const cuts: number[] = [];
    for (let at = step; at < bytes.length; at += step + (at % 5)) cuts.push(at);
    expect(read(cuts)).toEqual(whole);
  }
});
