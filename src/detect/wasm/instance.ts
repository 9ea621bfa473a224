// One instance of the byte-scan module (bytescan.wat): its own memory, with the fixed lookup
// tables at the bottom and room above for the caller's buffers. Compiled once per thread.
import { BYTESCAN_WASM } from './bytescan.js';

export interface ByteScanExports {
  keywords(input: number, a: number, b: number, warm: number, events: number, stride: number): void;
  encoded(input: number, n: number, out: number, max: number): number;
}

export interface ByteScan {
  fn: ByteScanExports;
  /** Views over the memory; refreshed by `reserve` when the memory grows. */
  u8: Uint8Array;
  i32: Int32Array;
  /** Makes the memory at least `bytes` long. */
  reserve(bytes: number): void;
}

/** Where the DFA table starts (the module's loads use this as a constant offset). */
export const TABLE_OFFSET = 1024;

// Base64 character classes, URL characters and hex digits, for the encoded-run scan.
const BASE64_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (c >= 65 && c <= 90) BASE64_CLASS[c] = 1;
  else if (c >= 97 && c <= 122) BASE64_CLASS[c] = 2;
  else if (c >= 48 && c <= 57) BASE64_CLASS[c] = 4;
  else if (c === 43 || c === 47) BASE64_CLASS[c] = 8;
  else if (c === 45 || c === 95) BASE64_CLASS[c] = 16;
}
const URL_CHARS = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+=&:/-') URL_CHARS[ch.charCodeAt(0)] = 1;
const HEX_DIGITS = new Uint8Array(256);
for (const ch of '0123456789abcdefABCDEF') HEX_DIGITS[ch.charCodeAt(0)] = 1;

let compiled: WebAssembly.Module | undefined;
const PAGE = 65536;

export function newByteScan(bytes: number): ByteScan {
  compiled ??= new WebAssembly.Module(Buffer.from(BYTESCAN_WASM, 'base64'));
  const instance = new WebAssembly.Instance(compiled);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const scan: ByteScan = {
    fn: instance.exports as unknown as ByteScanExports,
    u8: new Uint8Array(memory.buffer),
    i32: new Int32Array(memory.buffer),
    reserve(size) {
      if (memory.buffer.byteLength >= size) return;
      memory.grow(Math.ceil((size - memory.buffer.byteLength) / PAGE));
      scan.u8 = new Uint8Array(memory.buffer);
      scan.i32 = new Int32Array(memory.buffer);
    },
  };
  scan.reserve(bytes);
  scan.u8.set(BASE64_CLASS, 256);
  scan.u8.set(URL_CHARS, 512);
  scan.u8.set(HEX_DIGITS, 768);
  return scan;
}
