// Keyword prefilter: one Aho-Corasick pass over the raw bytes finds which keywords occur,
// so no rule regex runs on a file that lacks all of that rule's keywords. The automaton is
// a full DFA (256 transitions per state) with ASCII case folded into the table, which keeps
// the hot loop to one table load and one flag test per byte.

export interface Prefilter {
  keywords: string[];
  /**
   * Scan bytes; returns which keyword ids were seen. For tracked keywords, pushes each match's end
   * offset to `positions` and, when given, its keyword id to `ids` (same index).
   */
  scan(bytes: Uint8Array, tracked?: Uint8Array, positions?: number[], maxPositions?: number, ids?: number[]): Uint8Array;
}

export function buildPrefilter(keywords: string[]): Prefilter {
  const encoded = keywords.map((k) => Buffer.from(k.toLowerCase(), 'utf8'));
  // Trie with Map children first; converted to a dense DFA below.
  const children: Map<number, number>[] = [new Map()];
  const outputs: number[][] = [[]];
  encoded.forEach((word, id) => {
    let s = 0;
    for (const b of word) {
      let next = children[s].get(b);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        outputs.push([]);
        children[s].set(b, next);
      }
      s = next;
    }
    outputs[s].push(id);
  });
  const stateCount = children.length;
  const delta = new Int32Array(stateCount * 256);
  const fail = new Int32Array(stateCount);
  const fold = (b: number) => (b >= 65 && b <= 90 ? b + 32 : b);
  // BFS over the trie fills fail links and completes the transition table.
  const queue: number[] = [];
  for (let b = 0; b < 256; b++) {
    const next = children[0].get(fold(b));
    if (next !== undefined) {
      delta[b] = next;
      if (fold(b) === b) queue.push(next);
    }
  }
  while (queue.length) {
    const s = queue.shift()!;
    outputs[s] = outputs[s].concat(outputs[fail[s]]);
    for (let b = 0; b < 256; b++) {
      const next = children[s].get(fold(b));
      if (next !== undefined) {
        delta[s * 256 + b] = next;
        if (fold(b) === b) {
          fail[next] = delta[fail[s] * 256 + b];
          queue.push(next);
        }
      } else {
        delta[s * 256 + b] = delta[fail[s] * 256 + b];
      }
    }
  }
  // Flatten outputs for the hot loop.
  const outStart = new Int32Array(stateCount + 1);
  const outList: number[] = [];
  for (let s = 0; s < stateCount; s++) {
    outStart[s] = outList.length;
    outList.push(...outputs[s]);
  }
  outStart[stateCount] = outList.length;
  const outIds = Int32Array.from(outList);
  // Each entry is the next state's row offset (state << 8), bit-inverted when that state ends
  // a keyword: the hot loop then needs one table load and one sign test per byte.
  const table = new Int32Array(stateCount * 256);
  for (let i = 0; i < table.length; i++) {
    const next = delta[i];
    table[i] = outStart[next + 1] > outStart[next] ? ~(next << 8) : next << 8;
  }

  return {
    keywords,
    scan(bytes, tracked, positions, maxPositions = 5_000_000, ids) {
      const seen = new Uint8Array(keywords.length);
      let row = 0;
      const n = bytes.length;
      for (let i = 0; i < n; i++) {
        row = table[row | bytes[i]];
        if (row < 0) {
          row = ~row;
          const s = row >> 8;
          for (let k = outStart[s], end = outStart[s + 1]; k < end; k++) {
            const id = outIds[k];
            seen[id] = 1;
            if (tracked !== undefined && tracked[id] === 1 && positions !== undefined && positions.length < maxPositions) {
              positions.push(i + 1);
              if (ids !== undefined) ids.push(id);
            }
          }
        }
      }
      return seen;
    },
  };
}
