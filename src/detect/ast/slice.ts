// Parsing is the AST stage's cost, and in a file worth parsing most top-level statements have no
// part in any flow to a sink. This blanks those statements (spaces, newlines kept, so every offset
// and line stays put) before the parse. A statement is kept when it holds a seed word (a credential
// or sink word: where flows end), or is tied to a kept one through a top-level name: it declares a
// name a kept statement reads, or reads/calls/assigns a name a kept statement declares (call sites
// feed parameters; reassignments feed bindings). Imports are always kept. Statements are split
// lexically, only at lines that start (column 0, bracket depth 0) with a name or keyword;
// whatever the lexer is unsure of means no split, and a slice that fails to parse is never used
// (detect.ts parses the whole text then).
import { commentEnd, isIdentChar, isIdentStart } from './lex.js';

// What a top-level statement starts with, for the names it declares and whether it is an import.
const HEAD = /(?:export[ \t]+(?:default[ \t]+)?)?(?:declare[ \t]+)?(?:abstract[ \t]+)?(?:(?<kw>async[ \t]+function\b|function\b|class\b|const\b|let\b|var\b|enum\b|interface\b|namespace\b|type[ \t]+[A-Za-z_$][\w$]*[ \t]*[=<])|(?<imp>import[ \t]*[{*'"A-Za-z_$])|(?<deco>@[A-Za-z_$])|(?<exp>export[ \t]*[{*]))/y;

// Words that are never a binding worth following.
const KEYWORDS = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await async of as from get set type declare abstract readonly keyof infer is satisfies namespace module any unknown never string number boolean object symbol bigint undefined require exports console process Promise Object Array String Number Boolean Error JSON Math Date Map Set Buffer'.split(' '),
);

interface Chunk {
  start: number;
  end: number;
  /** Imports (and re-exports) are always kept: callees resolve through them. */
  always: boolean;
  typeOnly: boolean;
  declared: Set<string>;
  words: Set<string>;
}

/** Where a regex literal (not a division) may start, by the previous significant character. */
const REGEX_AFTER = new Set([...'(,=:[!&|?{};+-*%<>~^'].map((c) => c.charCodeAt(0)));
const REGEX_AFTER_WORD = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/;

/**
 * Top-level statement boundaries: offsets where a new statement starts. Undefined when the text
 * is not plainly lexable (unterminated string or comment, unbalanced brackets).
 */
function boundaries(code: string): number[] | undefined {
  const starts = [0];
  let depth = 0;
  // Template literal nesting: the bracket depth at which each open `${` returns to its template.
  const templates: number[] = [];
  let prev = 0; // previous significant character code (0: start)
  let i = 0;
  const n = code.length;
  const skipString = (quote: number): boolean => {
    for (i++; i < n; i++) {
      const c = code.charCodeAt(i);
      if (c === 92) i++;
      else if (c === quote) {
        i++;
        return true;
      } else if (c === 10) return false;
    }
    return false;
  };
  // Scans template text from i (just after ` or }) to its end or the next `${`.
  const skipTemplate = (): 'end' | 'expr' | 'bad' => {
    for (; i < n; i++) {
      const c = code.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 96) {
        i++;
        return 'end';
      } else if (c === 36 && code.charCodeAt(i + 1) === 123) {
        i += 2;
        return 'expr';
      }
    }
    return 'bad';
  };
  // Template text from i (after ` or a `${…}`'s }): to its end, or into its next `${`.
  const template = (): boolean => {
    const r = skipTemplate();
    if (r === 'expr') templates.push(depth);
    prev = 96;
    return r !== 'bad';
  };
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === 10) {
      i++;
      // A name, keyword or decorator at column 0, outside any bracket: a new statement (a
      // continuation line would be indented; a wrong guess yields a slice that does not parse).
      if (depth === 0 && templates.length === 0 && i < n) {
        const h = code.charCodeAt(i);
        if ((isIdentStart(h) && h < 128) || h === 64) starts.push(i);
      }
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 47) {
      const end = commentEnd(code, i, n);
      if (end !== undefined) {
        if (end < 0) return undefined;
        i = end;
        continue;
      }
      if (prev === 0 || REGEX_AFTER.has(prev) || (isIdentChar(prev) && REGEX_AFTER_WORD.test(code.slice(Math.max(0, i - 12), i).trimEnd()))) {
        // A regex literal: to its closing slash, classes included.
        let inClass = false;
        for (i++; i < n; i++) {
          const r = code.charCodeAt(i);
          if (r === 92) i++;
          else if (r === 10) return undefined;
          else if (r === 91) inClass = true;
          else if (r === 93) inClass = false;
          else if (r === 47 && !inClass) break;
        }
        i++;
        while (i < n && isIdentChar(code.charCodeAt(i))) i++; // flags
        prev = 47;
        continue;
      }
      prev = 47;
      i++;
      continue;
    }
    if (c === 34 || c === 39) {
      if (!skipString(c)) return undefined;
      prev = c;
      continue;
    }
    if (c === 96) {
      i++;
      if (!template()) return undefined;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (c === 125 && templates.length && templates[templates.length - 1] === depth) {
        // The `}` of a `${…}`: back into the template text.
        templates.pop();
        i++;
        if (!template()) return undefined;
        continue;
      }
      if (--depth < 0) return undefined;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentChar(code.charCodeAt(i))) i++;
      // `x / y` after a name is a division; REGEX_AFTER_WORD tells `return /re/` apart.
      prev = code.charCodeAt(i - 1);
      continue;
    }
    prev = c;
    i++;
  }
  if (depth !== 0 || templates.length) return undefined;
  return starts;
}

const WORD = /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/g;

/** The names a statement declares at top level, from its head. */
function declaredNames(text: string, kind: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!kind) return names;
  if (!/^(?:const|let|var)/.test(kind)) {
    const m = /^(?:async[ \t]+)?(?:function\*?|class|enum|interface|namespace|type)\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(text.slice(text.indexOf(kind.split(/[ \t]/)[0])));
    if (m) names.add(m[1]);
    return names;
  }
  // Binding lists: every name before a declarator's `=` (patterns, several declarators).
  let depth = 0;
  let binding = true;
  const from = text.indexOf(kind) + kind.length;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 39 || c === 96) {
      // Strings end the binding part for good: stop, declarators after them are rare.
      if (binding && depth === 0) break;
      const close = text.indexOf(String.fromCharCode(c), i + 1);
      if (close < 0) break;
      i = close;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 61 && depth === 0 && text.charCodeAt(i + 1) !== 61 && text.charCodeAt(i + 1) !== 62) binding = false;
    else if (c === 44 && depth === 0) binding = true;
    else if (c === 59 && depth === 0) break;
    else if (binding && isIdentStart(c)) {
      let e = i + 1;
      while (e < text.length && isIdentChar(text.charCodeAt(e))) e++;
      names.add(text.slice(i, e));
      i = e - 1;
    }
  }
  return names;
}

/**
 * The text with the top-level statements that no flow can pass through blanked, or the text itself
 * when nothing can be left out. `seeds` gives the offsets in the text where a flow may end.
 */
export function relevantSlice(code: string, seeds: (file: string) => number[]): string {
  const starts = boundaries(code);
  if (!starts || starts.length < 3) return code;
  const chunks: Chunk[] = [];
  const topNames = new Set<string>();
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k];
    const end = k + 1 < starts.length ? starts[k + 1] : code.length;
    HEAD.lastIndex = start;
    const head = HEAD.exec(code);
    const always = !!head?.groups?.imp || !!head?.groups?.exp || /^\s*(?:import\b|export\s*[{*])/.test(code.slice(start, start + 64));
    // Interfaces and type aliases hold no values: never a seed, and their names tie nothing.
    const typeOnly = /^(?:interface|type)\b/.test(head?.groups?.kw ?? '');
    const declared = typeOnly || !head?.groups?.kw ? new Set<string>() : declaredNames(code.slice(start, end), head.groups.kw);
    for (const d of declared) if (!KEYWORDS.has(d)) topNames.add(d);
    chunks.push({ start, end, always, typeOnly, declared, words: new Set() });
  }
  // Which top-level names each statement mentions (only those can tie statements together).
  WORD.lastIndex = 0;
  let c = 0;
  for (let m = WORD.exec(code); m; m = WORD.exec(code)) {
    if (!topNames.has(m[0])) continue;
    while (m.index >= chunks[c].end) c++;
    chunks[c].words.add(m[0]);
  }
  const kept = chunks.map((ch) => ch.always);
  c = 0;
  for (const at of seeds(code).sort((a, b) => a - b)) {
    while (c < chunks.length && at >= chunks[c].end) c++;
    if (c < chunks.length && !chunks[c].typeOnly) kept[c] = true;
  }
  // Names declared by kept statements, and names kept statements use; grow to a fixpoint.
  const used = new Set<string>();
  const declared = new Set<string>();
  const take = (ch: Chunk) => {
    for (const w of ch.words) used.add(w);
    for (const d of ch.declared) declared.add(d);
  };
  chunks.forEach((ch, k) => kept[k] && take(ch));
  for (let changed = true; changed; ) {
    changed = false;
    chunks.forEach((ch, k) => {
      if (kept[k] || ch.typeOnly) return;
      let tied = false;
      for (const d of ch.declared) if (used.has(d)) tied = true;
      if (!tied) for (const w of ch.words) if (declared.has(w)) tied = true;
      if (!tied) return;
      kept[k] = true;
      take(ch);
      changed = true;
    });
  }
  if (kept.every(Boolean)) return code;
  let out = '';
  chunks.forEach((ch, k) => {
    const text = code.slice(ch.start, ch.end);
    out += kept[k] ? text : text.replace(/[^\n\r]+/g, (run) => ' '.repeat(run.length));
  });
  return out;
}
