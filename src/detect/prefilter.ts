// Keyword prefilter: one Aho-Corasick pass over the raw bytes finds which keywords occur,
// so no rule regex runs on a file that lacks all of that rule's keywords. The automaton is a
// full DFA over byte classes (ASCII case folded into the class table), run by the WebAssembly
// loop in wasm/bytescan.wat: one table load per byte, four streams interleaved.
import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { readOwnFile, writeFileAtomic } from '../fsutil.js';
import { newByteScan, TABLE_OFFSET } from './wasm/instance.js';

export interface Prefilter {
  keywords: string[];
  /**
   * Scan bytes; returns the ids of the keywords seen, each once, in the order first seen (a
   * list, not a flag per keyword: most texts hold a few dozen of the ~500). `tracked[id]` is a bit set: for each bit b
   * it has, every match's end offset goes to `lists[b].ends` (and the id to `lists[b].ids`, when
   * that list keeps ids), so several consumers share one pass. A list stops at `maxPositions`.
   */
  scan(bytes: Uint8Array, tracked?: Uint8Array, lists?: KeywordEnds[], maxPositions?: number): number[];
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

/** The keyword DFA as the wasm scan reads it (see bytescan.wat), and each state's keyword ids. */
interface Automaton {
  classOf: Uint8Array;
  width: number;
  warm: number;
  stateCount: number;
  /** Row offsets (state × width × 4), bit-inverted for states that end a keyword. */
  delta: Int32Array;
  outStart: Int32Array;
  outIds: Int32Array;
}

function buildAutomaton(keywords: string[]): Automaton {
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

  // Trie over classes in the transition table itself (0: no child; the root is nobody's child),
  // then fail links and the missing transitions by BFS. Typed arrays, not maps: this runs at
  // every start (each worker too), mostly before the JIT has warmed up.
  const capacity = 1 + encoded.reduce((n, w) => n + w.length, 0);
  let delta = new Int32Array(capacity * width);
  const own: (number[] | undefined)[] = [];
  let stateCount = 1;
  encoded.forEach((word, id) => {
    let s = 0;
    for (const b of word) {
      const at = s * width + classOf[b];
      if (delta[at] === 0) delta[at] = stateCount++;
      s = delta[at];
    }
    (own[s] ??= []).push(id);
  });
  delta = delta.slice(0, stateCount * width);
  const fail = new Int32Array(stateCount);
  const queue = new Int32Array(stateCount);
  let tail = 0;
  for (let c = 0; c < classes; c++) if (delta[c] !== 0) queue[tail++] = delta[c];
  for (let head = 0; head < tail; head++) {
    const s = queue[head];
    const row = s * width;
    const failRow = fail[s] * width;
    for (let c = 0; c < classes; c++) {
      const next = delta[row + c];
      if (next !== 0) {
        fail[next] = delta[failRow + c];
        queue[tail++] = next;
      } else delta[row + c] = delta[failRow + c];
    }
  }
  // Each state's outputs: its own keywords, then its fail state's (filled first: BFS order).
  const count = new Int32Array(stateCount);
  for (let i = 0; i < tail; i++) {
    const s = queue[i];
    count[s] = (own[s]?.length ?? 0) + count[fail[s]];
  }
  const outStart = new Int32Array(stateCount + 1);
  for (let s = 0; s < stateCount; s++) outStart[s + 1] = outStart[s] + count[s];
  const outIds = new Int32Array(outStart[stateCount]);
  for (let i = 0; i < tail; i++) {
    const s = queue[i];
    let o = outStart[s];
    for (const id of own[s] ?? []) outIds[o++] = id;
    outIds.copyWithin(o, outStart[fail[s]], outStart[fail[s] + 1]);
  }

  // Entries are row offsets, bit-inverted for states that end a keyword (see bytescan.wat).
  const rowShift = Math.log2(width * 4);
  for (let i = 0; i < delta.length; i++) {
    const next = delta[i];
    const row = next << rowShift;
    delta[i] = outStart[next + 1] > outStart[next] ? ~row : row;
  }
  return { classOf, width, warm, stateCount, delta, outStart, outIds };
}

// The automaton for the ~470 keywords of the built-in rules takes 10-20 ms to build, once per
// thread and process (a pre-commit hook included), so engines keep it in a file per keyword set
// (~1 MB, in the temp dir, named by a hash of the keywords). Only a speed-up: a file that is
// missing, unreadable or not what it should be is rebuilt, and a failed write is ignored.
const CACHE_MAGIC = 0x4c465031; // "LFP1"
export const prefilterCacheFile = (keywords: string[]) =>
  join(tmpdir(), `leakfix-prefilter-${userInfo().uid}-${createHash('sha256').update(keywords.join('\0')).digest('hex').slice(0, 16)}.bin`);

function cachedAutomaton(keywords: string[]): Automaton {
  const file = prefilterCacheFile(keywords);
  try {
    const read = readCache(file, keywords);
    if (read) return read;
  } catch {
    /* no cache yet */
  }
  const built = buildAutomaton(keywords);
  try {
    const head = Int32Array.from([CACHE_MAGIC, keywords.length, built.width, built.warm, built.stateCount, built.delta.length, built.outStart.length, built.outIds.length]);
    const part = (a: Int32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    writeFileAtomic(file, Buffer.concat([part(head), part(built.classOf), part(built.delta), part(built.outStart), part(built.outIds)]), 0o600);
  } catch {
    /* a read-only temp dir only costs speed */
  }
  return built;
}

/**
 * The automaton in `file`, if it is ours and whole: owned by this user (the temp dir may be
 * shared, and a planted table could hide keywords), sizes that agree, and every entry inside the
 * table (the wasm scan follows them blindly).
 */
function readCache(file: string, keywords: string[]): Automaton | undefined {
  const count = keywords.length;
  let raw = readOwnFile(file);
  if (!raw || raw.length < 288) return undefined;
  if (raw.byteOffset % 4 !== 0) raw = Buffer.from(raw); // typed array views need aligned offsets
  const [magic, keywordCount, width, warm, stateCount, deltaLen, outStartLen, outIdsLen] = new Int32Array(raw.buffer, raw.byteOffset, 8);
  // `warm` sizes the scan's buffers: it must be what these keywords give.
  const expectedWarm = Math.max(0, ...keywords.map((k) => Buffer.byteLength(k.toLowerCase()) - 1));
  if (magic !== CACHE_MAGIC || keywordCount !== count || width < 1 || (width & (width - 1)) !== 0 || warm !== expectedWarm || stateCount < 1) return undefined;
  if (deltaLen !== stateCount * width || outStartLen !== stateCount + 1 || raw.length !== 288 + 4 * (deltaLen + outStartLen + outIdsLen)) return undefined;
  const ints = (at: number, n: number) => new Int32Array(raw.buffer, raw.byteOffset + at, n);
  const automaton: Automaton = {
    classOf: new Uint8Array(raw.buffer, raw.byteOffset + 32, 256),
    width,
    warm,
    stateCount,
    delta: ints(288, deltaLen),
    outStart: ints(288 + 4 * deltaLen, outStartLen),
    outIds: ints(288 + 4 * (deltaLen + outStartLen), outIdsLen),
  };
  // Indexed loops: this runs once per process, before the JIT, where for-of over a typed array
  // allocates an iterator result per entry (~170,000 of them).
  const { classOf, delta, outStart, outIds } = automaton;
  const rowBytes = width * 4;
  for (let i = 0; i < 256; i++) if (classOf[i] >= width) return undefined;
  for (let i = 0; i < deltaLen; i++) {
    const row = delta[i] < 0 ? ~delta[i] : delta[i];
    if (row % rowBytes !== 0 || row / rowBytes >= stateCount) return undefined;
  }
  if (outStart[0] !== 0 || outStart[stateCount] !== outIdsLen) return undefined;
  for (let i = 0; i < stateCount; i++) if (outStart[i + 1] < outStart[i]) return undefined;
  for (let i = 0; i < outIdsLen; i++) if (outIds[i] < 0 || outIds[i] >= count) return undefined;
  return automaton;
}

/** `cache`: keep the automaton in a file for the next process (see cachedAutomaton). */
export function buildPrefilter(keywords: string[], options: { cache?: boolean } = {}): Prefilter {
  // Small sets build in well under a millisecond: not worth a file each (tests make hundreds).
  const { classOf, width, warm, stateCount, delta, outStart, outIds } = options.cache && keywords.length >= 64 ? cachedAutomaton(keywords) : buildAutomaton(keywords);

  // Memory: tables, four event counts, the event buffers, then the input piece (with the warm-up
  // bytes before it and slack after it: the module may read a few bytes past the end).
  const rowShift = Math.log2(width * 4);
  const counts = TABLE_OFFSET + stateCount * width * 4;
  const events = counts + 16;
  const input = events + STREAMS * STRIDE;
  const wasm = newByteScan(input + warm + PIECE + 16);
  wasm.u8.set(classOf, 0);
  wasm.i32.set(delta, TABLE_OFFSET >> 2);

  // Which ids this call has listed already; cleared again before it returns.
  const listed = new Uint8Array(keywords.length);
  return {
    keywords,
    scan(bytes, tracked, lists = [], maxPositions = 5_000_000) {
      const seen: number[] = [];
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
              if (listed[id] === 0) {
                listed[id] = 1;
                seen.push(id);
              }
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
      for (let i = 0; i < seen.length; i++) listed[seen[i]] = 0;
      return seen;
    },
  };
}
