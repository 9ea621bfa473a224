// Keyword prefilter: one Aho-Corasick pass over the raw bytes finds which keywords occur,
// so no rule regex runs on a file that lacks all of that rule's keywords. The automaton is a
// full DFA over byte classes (ASCII case folded into the class table), run by the WebAssembly
// loop in wasm/bytescan.wat: one table load per byte, four streams interleaved.
import { newByteScan, TABLE_OFFSET } from './wasm/instance.js';

export interface Prefilter {
  keywords: string[];
  /**
   * Scan bytes; returns which keyword ids were seen. `tracked[id]` is a bit set: for each bit b
   * it has, every match's end offset goes to `lists[b].ends` (and the id to `lists[b].ids`, when
   * that list keeps ids), so several consumers share one pass. A list stops at `maxPositions`.
   */
  scan(bytes: Uint8Array, tracked?: Uint8Array, lists?: KeywordEnds[], maxPositions?: number): Uint8Array;
}

/** Keyword matches: end offsets and, when kept, keyword ids (same index). */
export interface KeywordEnds {
  ends: number[];
  ids?: number[];
}

// Input is scanned in pieces so the event buffers have a fixed size: a piece has at most one
// event per byte, spread over four streams.
const PIECE = 128 * 1024;
const STREAMS = 4;
const STRIDE = 8 * (PIECE / STREAMS + STREAMS);

export function buildPrefilter(keywords: string[]): Prefilter {
  const encoded = keywords.map((k) => Buffer.from(k.toLowerCase(), 'utf8'));
  // One class per distinct keyword byte; class 0 for bytes no keyword has. Upper-case ASCII
  // shares its lower-case letter's class.
  const classOf = new Uint8Array(256);
  let classes = 1;
  for (const word of encoded) for (const b of word) if (classOf[b] === 0) classOf[b] = classes++;
  for (let b = 65; b <= 90; b++) classOf[b] = classOf[b + 32];
  let width = 1;
  while (width < classes) width *= 2;
  const warm = Math.max(0, ...encoded.map((w) => w.length - 1));

  // Trie over classes, then fail links and the full transition table by BFS.
  const children: Map<number, number>[] = [new Map()];
  const outputs: number[][] = [[]];
  encoded.forEach((word, id) => {
    let s = 0;
    for (const b of word) {
      const c = classOf[b];
      let next = children[s].get(c);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        outputs.push([]);
        children[s].set(c, next);
      }
      s = next;
    }
    outputs[s].push(id);
  });
  const stateCount = children.length;
  const delta = new Int32Array(stateCount * width);
  const fail = new Int32Array(stateCount);
  const queue: number[] = [];
  for (const [c, next] of children[0]) {
    delta[c] = next;
    queue.push(next);
  }
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head];
    outputs[s] = outputs[s].concat(outputs[fail[s]]);
    for (let c = 0; c < classes; c++) {
      const next = children[s].get(c);
      if (next !== undefined) {
        delta[s * width + c] = next;
        fail[next] = delta[fail[s] * width + c];
        queue.push(next);
      } else {
        delta[s * width + c] = delta[fail[s] * width + c];
      }
    }
  }
  const outStart = new Int32Array(stateCount + 1);
  const outList: number[] = [];
  for (let s = 0; s < stateCount; s++) {
    outStart[s] = outList.length;
    outList.push(...outputs[s]);
  }
  outStart[stateCount] = outList.length;
  const outIds = Int32Array.from(outList);

  // Memory: tables, four event counts, the event buffers, then the input piece (with the warm-up
  // bytes before it and slack after it: the module may read a few bytes past the end).
  const rowShift = Math.log2(width * 4);
  const counts = TABLE_OFFSET + stateCount * width * 4;
  const events = counts + 16;
  const input = events + STREAMS * STRIDE;
  const wasm = newByteScan(input + warm + PIECE + 16);
  wasm.u8.set(classOf, 0);
  const table = TABLE_OFFSET >> 2;
  for (let i = 0; i < delta.length; i++) {
    const next = delta[i];
    const row = next << rowShift;
    wasm.i32[table + i] = outStart[next + 1] > outStart[next] ? ~row : row;
  }

  return {
    keywords,
    scan(bytes, tracked, lists = [], maxPositions = 5_000_000) {
      const seen = new Uint8Array(keywords.length);
      const { u8, i32, fn } = wasm;
      for (let a = 0; a < bytes.length; a += PIECE) {
        const b = Math.min(bytes.length, a + PIECE);
        const before = Math.min(a, warm);
        u8.set(bytes.subarray(a - before, b), input);
        fn.keywords(input, before, before + (b - a), warm, events, STRIDE);
        const base = a - before;
        // Streams cover consecutive quarters, so reading them in turn keeps offsets in order.
        for (let k = 0; k < STREAMS; k++) {
          const count = i32[(counts >> 2) + k];
          for (let e = 0, at = (events + k * STRIDE) >> 2; e < count; e++, at += 2) {
            const s = i32[at + 1] >> rowShift;
            for (let o = outStart[s], end = outStart[s + 1]; o < end; o++) {
              const id = outIds[o];
              seen[id] = 1;
              if (tracked === undefined || tracked[id] === 0) continue;
              for (let bits = tracked[id], b = 0; bits !== 0; bits >>= 1, b++) {
                const list = lists[b];
                if ((bits & 1) === 0 || list === undefined || list.ends.length >= maxPositions) continue;
                list.ends.push(i32[at] + base);
                list.ids?.push(id);
              }
            }
          }
        }
      }
      return seen;
    },
  };
}
