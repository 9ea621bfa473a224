// The AST stage's cheap pre-parse check: lexical evidence that a literal may reach a sink the
// pattern and generic detectors cannot judge. Parsing costs ~50x a regex pass, so files without
// it are never parsed. Every word the check looks at is found in one Aho-Corasick pass (the
// prefilter's automaton over the words below), then judged only where it occurs: case-insensitive
// regex alternations over the whole file cost ~10 ns a character. A sink call counts only when its
// arguments may carry a literal (call-gate.ts): most code configures clients from the environment.
import { buildPrefilter, type Prefilter } from '../prefilter.js';
import { credentialKind } from '../generic.js';
import { loadSinks, nameSink, type Sink } from './sinks.js';
import { aliasEvidence, bindingEvidence, callSiteEvidence, directCallEvidence, moduleBindings, type NameCheck } from './call-gate.js';

const cross = (heads: string[], tails: string[]) => heads.flatMap((h) => ['', '-', '_'].flatMap((sep) => tails.map((t) => h + sep + t)));

/**
 * The words inside every name sink's names (rules/sinks.yaml), as specific as possible: `key`, `url`
 * alone occur thousands of times in ordinary code. No word is a prefix of another, so at most one
 * starts at any offset.
 */
export const CREDENTIAL_WORDS: readonly string[] = [
  'pass', 'pwd', 'secret', 'token', 'auth', 'bearer', 'credential',
  ...cross(['api', 'access', 'private', 'signing', 'master', 'hmac', 'encryption', 'app', 'license', 'client', 'consumer', 'subscription', 'jwt'], ['key']),
  ...cross(['conn', 'connection'], ['string']),
  ...cross(['database', 'db', 'mongo', 'mongodb', 'redis', 'postgres', 'mysql'], ['uri', 'url']),
];

const isIdentChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
// Between a name and its `:`/`=`: a closing quote or bracket, spaces.
const isAssignLead = (c: number) => c === 34 || c === 39 || c === 96 || c === 93 || c === 32 || c === 9;
// After a credential name: an assignment whose value is a name (not env/request data), an array
// (join), Buffer.from, or a concatenation starting with a literal. A plain literal value is left
// to the generic detector; `pass: '…'` (nodemailer) is the one short name it does not know.
const INDIRECT_VALUE = /["'`]?\]?[ \t]*(?::|=(?![=>]))[ \t]*(?:(?!(?:process|import|req|request|res|ctx|this|props|event|e|env|window|document|await|new|typeof|function|async|true|false|null|undefined|require|string|number|boolean|any|unknown|never|object|void|bigint|symbol)\b)(?<root>[A-Za-z_$][\w$]*)(?:\.[A-Za-z_$][\w$]*)*[ \t]*(?:[,;)}\r\n]|$)|\[|Buffer\.from\(|["'`][^"'`\r\n]*["'`][ \t]*\+)/y;
const LITERAL_VALUE = /^["'`]?\]?[ \t]*(?::|=)[ \t]*(?<value>"[^"\r\n]{3,}"|'[^'\r\n]{3,}'|`[^`$\r\n]{3,}`)/;
// After a call-sink word: the rest of a dotted callee, then `(`.
const CALL_AFTER = /[\w$.]*\s*\(/y;

interface GateWord {
  word: string;
  /** 'credential': a CREDENTIAL_WORDS entry; 'call': a sink word that counts as a call or a quoted module name; 'literal': a sink word that is already a call (`.auth(`). */
  kind: 'credential' | 'call' | 'literal';
  /** A sink keyword written with quotes in sinks.yaml ('authorization'): any string holding it counts. */
  quoted?: boolean;
}

interface GateIndex {
  prefilter: Prefilter;
  all: Uint8Array;
  /** The words, by prefilter keyword id. */
  words: GateWord[];
}

const indexes = new WeakMap<Sink[], GateIndex>();

function gateIndex(sinks: Sink[]): GateIndex {
  let index = indexes.get(sinks);
  if (!index) {
    // A sink word counts as a call (stripe(…), jwt.sign(…)) or as a module name ('jsonwebtoken'),
    // not as a mere mention (const stripeSecretKey = …, which the pattern rules judge).
    const sinkWords = sinks.flatMap((s) => (s.kind === 'call' ? s.keywords ?? [] : [])).map((w) => ({ word: w.replace(/^["']|["']$/g, '').toLowerCase(), quoted: /^["']/.test(w) }));
    const words = new Map<string, GateWord>();
    for (const { word: w, quoted } of sinkWords) {
      const prev = words.get(`${w}\0s`);
      words.set(`${w}\0s`, { word: w, kind: w.endsWith('(') ? 'literal' : 'call', quoted: quoted || prev?.quoted });
    }
    for (const w of CREDENTIAL_WORDS) words.set(`${w}\0c`, { word: w, kind: 'credential' });
    const list = [...words.values()];
    index = { prefilter: buildPrefilter(list.map((g) => g.word)), all: new Uint8Array(list.length).fill(1), words: list };
    indexes.set(sinks, index);
  }
  return index;
}

// A value a credential name may be given that the analysis can follow to a literal: a string or
// plain template, an array (join), object, parenthesis, Buffer.from, or a name or member chain
// that ends the value (or is concatenated or cast). Not env reads, types, numbers, keywords.
const FOLLOWED_VALUE =
  '(?:["\'][^"\'\\r\\n]{3,}["\']|["\'][^"\'\\r\\n]*["\'][ \\t]*\\+|`[^`$]{3,}`|[[{(<]|Buffer\\.from\\(|(?!(?:process|import|require|true|false|null|undefined|await|new|typeof|function|async|this|string|number|boolean|any|unknown|never|object|void|bigint|symbol)\\b)[A-Za-z_$][\\w$]*(?:\\??\\.[A-Za-z_$][\\w$]*|\\[[^\\]\\r\\n]*\\])*!?[ \\t]*(?:[,;)}\\]\\r\\n]|$|\\+|as\\b|satisfies\\b))';

/**
 * Offsets in a file where a flow may end (slice.ts keeps the statements holding them, and what
 * those are tied to): a call sink's keyword, a credential name given a value the analysis can
 * follow, a credential name as a shorthand property, or a URI with a password.
 */
export function flowEnds(sinks: Sink[] = loadSinks()): (file: string) => number[] {
  let ends = seeds.get(sinks);
  if (!ends) {
    // Call sinks' keywords (a name sink's `bearer` is a credential word, judged by `assigned`).
    const sinkWords = [...new Set(sinks.flatMap((s) => (s.kind === 'call' ? s.keywords ?? [] : [])).map((w) => w.toLowerCase()))];
    const keyword = new RegExp(sinkWords.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
    const credential = CREDENTIAL_WORDS.map((w) => w.replace(/[-]/g, '\\-')).join('|');
    // (A TypeScript annotation may sit between the name and its `=`.)
    const assigned = new RegExp(`(?:${credential})[\\w$]*["'\`]?\\]?(?:[ \\t]*[?!]?:[^=;,\\r\\n]*(?==))?[ \\t]*(?::|=(?![=>]))[ \\t]*${FOLLOWED_VALUE}`, 'gi');
    // `{ password }` (not a template's `${password}`): only when the file gives that name a followable value.
    const shorthand = new RegExp(`(?<!\\$)[{,][ \\t\\r\\n]*([\\w$]*(?:${credential})[\\w$]*)[ \\t\\r\\n]*(?=[,}])`, 'gi');
    // From its `://` (a literal the regex engine can skip to), the scheme looked at behind it.
    const uri = /(?<=[a-z][a-z0-9+.-]*):\/\/[^\s:@/'"`]*:[^\s@/'"`]+@/gi;
    ends = (file) => {
      const out: number[] = [];
      for (const re of [keyword, assigned, uri]) for (const m of file.matchAll(re)) out.push(m.index!);
      const followable = new Map<string, boolean>();
      for (const m of file.matchAll(shorthand)) {
        const name = m[1];
        let known = followable.get(name);
        if (known === undefined) {
          const n = name.replace(/\$/g, '\\$');
          known = new RegExp(`(?<![\\w$.])${n}(?:[ \\t]*[?!]?:[^=;,\\r\\n]*(?==))?[ \\t]*(?::|=(?![=>]))[ \\t]*${FOLLOWED_VALUE}`).test(file) || isParameter(file, n);
          followable.set(name, known);
        }
        if (known) out.push(m.index!);
      }
      return out;
    };
    seeds.set(sinks, ends);
  }
  return ends;
}
const seeds = new WeakMap<Sink[], (file: string) => number[]>();

/** Char codes of an ASCII text (its UTF-8 bytes are exactly that); other characters become 0x80, which no word contains. */
function codesOf(text: string, bytes?: Uint8Array): Uint8Array {
  if (bytes && bytes.length === text.length) return bytes;
  const codes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    codes[i] = c < 128 ? c : 0x80;
  }
  return codes;
}

/**
 * Where the gate's words occur in a text, found by another pass over it (the engine's prefilter
 * holds them too): end offsets in the text, in order, and indexes into gateWords().
 */
export interface GateWordHits {
  ends: number[];
  ids: number[];
}

/** The words the gate looks for, in the order GateWordHits' ids refer to. */
export function gateWords(sinks: Sink[] = loadSinks()): readonly string[] {
  return gateIndex(sinks).words.map((g) => g.word);
}

/**
 * Whether a JS/TS text is worth parsing: a sink call (as written, or through what an import of a
 * sink module binds) whose arguments may carry a literal, or a credential name assigned something
 * only the AST can follow. `bytes` (the file's UTF-8 bytes,
 * when the caller has them) saves re-encoding an ASCII text; `words` (where the words are, when
 * the caller's own pass found them) saves the gate's pass.
 */
export function worthParsing(text: string, sinks: Sink[] = loadSinks(), bytes?: Uint8Array, covered: readonly Span[] = [], words?: GateWordHits): boolean {
  const index = gateIndex(sinks);
  const codes = codesOf(text, bytes);
  let ends = words?.ends;
  let ids = words?.ids;
  if (!ends || !ids) {
    ends = [];
    ids = [];
    index.prefilter.scan(codes, index.all, [{ ends, ids }]);
  }
  if (ends.length === 0) return false;
  // Credential words as start * 64 + length, in text order; sink words are judged on the spot.
  const found: number[] = [];
  let sorted = true;
  let bound: NameCheck | undefined;
  for (let k = 0; k < ends.length; k++) {
    const end = ends[k];
    const g = index.words[ids[k]];
    const i = end - g.word.length;
    if (g.kind === 'credential') {
      const word = i * 64 + g.word.length;
      if (found.length && word < found[found.length - 1]) sorted = false;
      found.push(word);
      continue;
    }
    if (g.kind === 'literal') {
      // `.auth(`: the call is right here.
      bound ??= boundCheck(text);
      if (callSiteEvidence(text, i + 1, sinks, bound)) return true;
      continue;
    }
    const before = i > 0 ? codes[i - 1] : 0;
    if (before === 34 || before === 39) {
      // A module name: the calls made through what its import/require binds.
      const use = moduleBindings(text, i - 1);
      if (use === 'unreadable') return true;
      // Any other string holding the word: only a quoted keyword (`'authorization'` for
      // .set('Authorization', …)) is meant to match a plain string.
      if (use === 'not-a-module') {
        if (g.quoted) return true;
        continue;
      }
      bound ??= boundCheck(text);
      if (bindingEvidence(text, use.bindings, sinks, bound) || directCallEvidence(text, use.calls, sinks, bound)) return true;
      continue;
    }
    bound ??= boundCheck(text);
    CALL_AFTER.lastIndex = end;
    if (CALL_AFTER.test(text)) {
      if (callSiteEvidence(text, i, sinks, bound)) return true;
      continue;
    }
    // `{ createHmac as sign }` / `{ createHmac: sign }`: the calls go by the local name.
    if (aliasEvidence(text, i, end, sinks, bound)) return true;
  }
  if (!sorted) found.sort((a, b) => a - b);
  return credentialEvidence(text, found, sinks, covered);
}

/** A text range, end exclusive. */
export type Span = readonly [number, number];

/**
 * Credential words (start * 64 + length, in text order) followed by an assignment: the first word
 * at or after the previous identifier's end is judged, as a global regex with lastIndex would.
 */
function credentialEvidence(text: string, words: number[], sinks: Sink[], covered: readonly Span[]): boolean {
  const checked = new Set<string>();
  let from = 0;
  for (const word of words) {
    const at = Math.floor(word / 64);
    if (at < from) continue;
    let end = at + (word % 64);
    while (end < text.length && isIdentChar(text.charCodeAt(end))) end++;
    from = end;
    // Most occurrences (token.length, auth(), a comment) are not followed by `:`/`=`: skip them before any word splitting.
    let next = end;
    while (next < text.length && next - end < 4 && isAssignLead(text.charCodeAt(next))) next++;
    const c = text.charCodeAt(next);
    if (c !== 58 /* : */ && c !== 61 /* = */) continue;
    let start = at;
    while (start > 0 && isIdentChar(text.charCodeAt(start - 1))) start--;
    const name = text.slice(start, end);
    // The cheap sticky regexes run before the word splitting of nameSink.
    INDIRECT_VALUE.lastIndex = end;
    const v = INDIRECT_VALUE.exec(text);
    if (!v) {
      // A literal under a name the generic detector does not know (pass, Authorization, connectionString …).
      const literal = LITERAL_VALUE.exec(text.slice(end, end + 300));
      if (!literal || credentialKind(name) || !(nameSink(name, sinks) || /^pass$/i.test(name))) continue;
      // A literal a provider pattern already reports (a database URL's password) gains nothing from a parse.
      const literalEnd = end + literal[0].length;
      if (covered.some(([s, e]) => s >= literalEnd - literal.groups!.value.length && e <= literalEnd)) continue;
      return true;
      continue;
    }
    const root = v.groups?.root;
    if (root && checked.has(root)) continue;
    if (!nameSink(name, sinks) && !/^pass$/i.test(name)) continue;
    // A name is worth following only when the file binds it to a literal, array or object somewhere
    // (or takes it as a parameter of a function the file calls).
    if (!root) return true;
    checked.add(root);
    if (boundToLiteral(text, root)) return true;
  }
  return false;
}

/**
 * Whether the file binds a name to a literal, array or object somewhere, takes it as a parameter
 * (a local call may pass a literal), or assigns it another name or member that is (`const b = a`,
 * `const pw = cfg.db.pw`), a few hops deep.
 */
function boundToLiteral(text: string, name: string, seen: Set<string> = new Set()): boolean {
  if (seen.has(name) || seen.size >= 4) return false;
  seen.add(name);
  const n = name.replace(/\$/g, '\\$');
  if (new RegExp(`(?<![\\w$.])${n}[ \\t]*(?::|=(?![=>]))[ \\t]*["'\`[{]|(?<![\\w$.])${n}[ \\t]*=[ \\t]*(?:Buffer\\.from|\\[)`).test(text)) return true;
  if (isParameter(text, n)) return true;
  const alias = new RegExp(`(?<![\\w$.])${n}[ \\t]*=(?![=>])[ \\t]*([A-Za-z_$][\\w$]*)(?:\\??\\.[A-Za-z_$][\\w$]*)*[ \\t]*(?:[;,)}\\r\\n]|$)`, 'g');
  for (const m of text.matchAll(alias)) if (m[1] !== 'process' && m[1] !== 'require' && boundToLiteral(text, m[1], seen)) return true;
  return false;
}

/** A parameter: the name (regex-escaped) in a parenthesised list followed by `=>` or a body (a call's argument is not one). */
function isParameter(text: string, escaped: string): boolean {
  return new RegExp(`[(,]\\s*${escaped}\\s*\\??\\s*(?::[^,()=]*)?(?:=[^,()]*)?(?:,[^()]*)?\\)\\s*(?::[^=;{()]*)?(?:=>|\\{)`).test(text);
}

/** boundToLiteral for one text, memoized by name. */
function boundCheck(text: string): NameCheck {
  const memo = new Map<string, boolean>();
  return (name) => {
    let known = memo.get(name);
    if (known === undefined) memo.set(name, (known = boundToLiteral(text, name)));
    return known;
  };
}
