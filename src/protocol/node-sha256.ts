/** The hash the SDK's SigV4 signer asks for, over Node's own crypto (no extra package). */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";

export class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: Uint8Array | string | undefined;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret =
      secret === undefined || typeof secret === "string"
        ? secret
        : ArrayBuffer.isView(secret)
          ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
          : new Uint8Array(secret);
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === "string"
        ? data
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : new Uint8Array(data),
    );
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}
