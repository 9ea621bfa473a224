// The gate's judgement of call sinks (jwt.sign, new Pool, new Stripe …): most files that use these
// APIs configure them from the environment, and a parse would find nothing. A call can only hand
// the analysis a literal when an argument at a sink position holds a string, or a name the file
// binds to a literal. This module finds the calls lexically — the way the analysis names callees:
// as written, or through an import/require of the module (detect.ts namesOf) — and reads those
// arguments. Whatever it cannot read with certainty (dynamic import, an odd import form, a regex in
// the arguments, `this`) counts as evidence: the gate may parse too much, never too little.
import { callSinksFor, type Sink } from './sinks.js';
import { commentEnd, isIdentChar, isIdentStart } from './lex.js';

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Words that are never a binding that could hold a literal. */
const NOT_BINDINGS = new Set([
  'true', 'false', 'null', 'undefined', 'new', 'await', 'typeof', 'void', 'function', 'return', 'async', 'of', 'in', 'instanceof', 'let', 'const', 'var',
  'yield', 'delete', 'as', 'satisfies', 'string', 'number', 'boolean', 'any', 'unknown', 'never', 'object', 'bigint', 'symbol', 'process', 'require',
]);

/** Per-text memo of names the file binds to a literal (and the caller's checker). */
export interface NameCheck {
  (name: string): boolean;
}

/** What the arguments of one call hold, per top-level argument. */
interface ArgFacts {
  /** A string or template literal, `this`, or something unreadable. */
  maybe: boolean;
  /** Root identifiers in value position. */
  roots: string[];
}

const MAX_ARGS_CHARS = 8192;

/**
 * The arguments of the call whose `(` is at `open`: per top-level argument, whether it holds a
 * literal or which names it reads. Undefined when the text is not plainly readable.
 */
function callArguments(text: string, open: number): { args: ArgFacts[]; spread: boolean } | undefined {
  const args: ArgFacts[] = [{ maybe: false, roots: [] }];
  let spread = false;
  let depth = 0;
  const limit = Math.min(text.length, open + MAX_ARGS_CHARS);
  let prev = 40; // the significant character before the current one: `(`
  for (let i = open + 1; i < limit; ) {
    const c = text.charCodeAt(i);
    const cur = args[args.length - 1];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 34 || c === 39 || c === 96) {
      // Any string inside the argument may be (part of) the value; the analysis decides. Not a
      // computed member key (process.env['X']): `[` right after a name, `)` or `]`.
      if (!(prev === 91 && isMemberBracket(text, i))) cur.maybe = true;
      const end = skipQuoted(text, i, limit);
      if (end < 0) return undefined;
      i = end;
      prev = c;
      continue;
    }
    if (c === 47) {
      const end = commentEnd(text, i, limit);
      if (end === undefined || end < 0) return undefined; // a division or regex literal: not worth telling apart
      i = end;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) return c === 41 ? { args, spread } : undefined;
      depth--;
    } else if (c === 44 && depth === 0) {
      args.push({ maybe: false, roots: [] });
      prev = 40;
      i++;
      continue;
    } else if (c === 46 && text.charCodeAt(i + 1) === 46 && text.charCodeAt(i + 2) === 46) {
      if (depth === 0) spread = true;
      i += 3;
      prev = 40;
      continue;
    } else if (c >= 48 && c <= 57) {
      while (i < limit && (isIdentChar(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      prev = 48;
      continue;
    } else if (isIdentStart(c)) {
      let end = i + 1;
      while (end < limit && isIdentChar(text.charCodeAt(end))) end++;
      const word = text.slice(i, end);
      let next = end;
      while (next < limit && isSpace(text.charCodeAt(next))) next++;
      const after = text.charCodeAt(next);
      if (prev === 46) {
        // a property of something already judged (config.db.password: `config` was)
      } else if (after === 58 && (prev === 123 || prev === 44)) {
        // an object key: `{ password: …` — its value is judged on its own
      } else if (word === 'this' || word === 'super' || word === 'arguments') {
        cur.maybe = true;
      } else if (!NOT_BINDINGS.has(word)) {
        cur.roots.push(word);
      }
      i = end;
      prev = 97;
      continue;
    }
    prev = c;
    i++;
  }
  return undefined;
}

/** Whether the `[` before the string at `quote` indexes something (a name, a call, an index). */
function isMemberBracket(text: string, quote: number): boolean {
  let j = quote - 1;
  while (j >= 0 && isSpace(text.charCodeAt(j))) j--;
  j--; // the `[`
  while (j >= 0 && isSpace(text.charCodeAt(j))) j--;
  const c = text.charCodeAt(j);
  return isIdentChar(c) || c === 41 || c === 93;
}

/** The index after a quoted string or template literal starting at `i`, or -1. */
function skipQuoted(text: string, i: number, limit: number): number {
  const quote = text.charCodeAt(i);
  let braces = 0;
  for (let j = i + 1; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (quote === 96 && c === 36 && text.charCodeAt(j + 1) === 123) {
      braces++;
      j++;
    } else if (quote === 96 && braces > 0 && c === 125) braces--;
    else if (c === quote && braces === 0) return j + 1;
    else if (quote !== 96 && c === 10) return -1;
  }
  return -1;
}

/** Whether the arguments at `positions` (all, when a spread hides the positions) may carry a literal. */
export function argumentsMayCarryLiteral(text: string, open: number, positions: ReadonlySet<number>, bound: NameCheck): boolean {
  const call = callArguments(text, open);
  if (!call) return true;
  for (let k = 0; k < call.args.length; k++) {
    if (!call.spread && !positions.has(k)) continue;
    const arg = call.args[k];
    if (arg.maybe || arg.roots.some(bound)) return true;
  }
  return false;
}

/** The sink argument positions of a callee, from every name it goes by; empty when it is no sink. */
function sinkPositions(names: string[], sinks: Sink[]): Set<number> {
  const positions = new Set<number>();
  for (const name of names) for (const sink of callSinksFor(name, sinks)) for (const a of sink.args ?? []) positions.add(a.at);
  return positions;
}

// The dotted rest of a callee after its root, then `(`: `.sign(`, `?.create (`, `<Options>(`, `(`.
const CALLEE_REST = /((?:\s*\??\.\s*[A-Za-z_$][\w$]*)*)\s*(?:<[^;()<>]*(?:<[^;()<>]*>[^;()<>]*)*>\s*)?(?:\?\.\s*)?\(/y;

/**
 * A call-sink word used as a call (`jwt.sign(` with the word somewhere in the callee): whether that
 * call, named as written, is a sink whose arguments may carry a literal. `at` is inside the callee.
 */
export function callSiteEvidence(text: string, at: number, sinks: Sink[], bound: NameCheck): boolean {
  let start = at;
  while (start > 0) {
    const c = text.charCodeAt(start - 1);
    if (isIdentChar(c) || c === 46 || (c === 63 && text.charCodeAt(start) === 46)) start--;
    else break;
  }
  // A chain on a call's result (`get('/api').auth(`) goes by `?.auth`, as the analysis names it.
  const onResult = !isIdentStart(text.charCodeAt(start));
  while (start < at && !isIdentStart(text.charCodeAt(start))) start++;
  let end = start;
  while (end < text.length && isIdentChar(text.charCodeAt(end))) end++;
  CALLEE_REST.lastIndex = end;
  const m = CALLEE_REST.exec(text);
  if (!m) return false;
  const callee = (onResult ? '?.' : '') + text.slice(start, end) + m[1].replace(/[\s?]/g, '');
  const positions = sinkPositions([callee], sinks);
  return positions.size > 0 && argumentsMayCarryLiteral(text, CALLEE_REST.lastIndex - 1, positions, bound);
}

/** Local names an import/require statement binds, each with the dotted names it stands for. */
type Bindings = Map<string, string[]>;

const IMPORT_CLAUSE = /^(?:type\s+)?(?:([A-Za-z_$][\w$]*)\s*(?:,\s*|$))?(?:\*\s*as\s+([A-Za-z_$][\w$]*)|\{([^}]*)\})?\s*$/;
const NAMED_IMPORT = /^(?:type\s+)?([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/;
const DESTRUCTURED = /^([A-Za-z_$][\w$]*)(?:\s*:\s*([A-Za-z_$][\w$]*))?(?:\s*=[^,]*)?$/;

/**
 * A quoted module name at `quote` (the index of its opening quote): the bindings its import or
 * require makes (possibly none) and calls made on the spot; 'not-a-module' for any other string;
 * 'unreadable' for a statement this cannot read, or a dynamic `import('m')`.
 */
export function moduleBindings(text: string, quote: number): { bindings: Bindings; calls: { open: number; callee: string }[] } | 'unreadable' | 'not-a-module' {
  const q = text.charCodeAt(quote);
  const close = text.indexOf(String.fromCharCode(q), quote + 1);
  if (close < 0) return 'not-a-module';
  const mod = text.slice(quote + 1, close).replace(/^node:/, '');
  const before = text.slice(Math.max(0, quote - 600), quote);
  const bindings: Bindings = new Map();
  const calls: { open: number; callee: string }[] = [];
  if (/\bfrom\s*$/.test(before)) {
    const kw = /\b(import|export)\b(?![\s\S]*\b(?:import|export)\b)/.exec(before);
    if (!kw) return 'unreadable';
    if (kw[1] === 'export') return { bindings, calls }; // a re-export binds nothing here
    const clause = before.slice(kw.index + 6).replace(/\bfrom\s*$/, '').replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').trim();
    const m = IMPORT_CLAUSE.exec(clause);
    if (!m) return 'unreadable';
    if (m[1]) bindings.set(m[1], [mod]);
    if (m[2]) bindings.set(m[2], [mod]);
    if (m[3] !== undefined) {
      for (const part of m[3].split(',').map((s) => s.trim()).filter(Boolean)) {
        const n = NAMED_IMPORT.exec(part);
        if (!n) return 'unreadable';
        bindings.set(n[2] ?? n[1], [n[1] === 'default' ? mod : `${mod}.${n[1]}`]);
      }
    }
    return { bindings, calls };
  }
  if (/\bimport\s*\(\s*$/.test(before)) return 'unreadable';
  if (/\bimport\s*$/.test(before)) return { bindings, calls }; // import 'm': side effects only
  if (!/\brequire\s*\(\s*$/.test(before)) return 'not-a-module';
  // require('m'), then maybe .x.y: what the statement binds, or a call made on the spot.
  const after = /^\s*\)((?:\s*\.\s*[A-Za-z_$][\w$]*)*)/.exec(text.slice(close + 1, close + 300));
  if (!after) return 'unreadable';
  const target = mod + after[1].replace(/\s/g, '');
  const restAt = close + 1 + after[0].length;
  const direct = /^\s*\(/.exec(text.slice(restAt, restAt + 50));
  if (direct) {
    calls.push({ open: restAt + direct[0].length - 1, callee: target });
    return { bindings, calls };
  }
  const head = before.replace(/\brequire\s*\(\s*$/, '');
  const decl = /(?:\b(?:const|let|var)\s+|\bimport\s+)([A-Za-z_$][\w$]*|\{[^{}]*\})\s*=\s*(?:await\s+)?$/.exec(head);
  if (!decl) {
    // `x = require('m')` without a declaration, an argument, a ternary …: follow nothing, parse.
    return /[=(,?:]\s*$/.test(head) ? 'unreadable' : { bindings, calls };
  }
  if (!decl[1].startsWith('{')) {
    bindings.set(decl[1], [target]);
    return { bindings, calls };
  }
  for (const part of decl[1].slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean)) {
    const d = DESTRUCTURED.exec(part);
    if (!d) return 'unreadable';
    bindings.set(d[2] ?? d[1], [`${target}.${d[1]}`]);
  }
  return { bindings, calls };
}

/** Whether any call through one of the bindings is a sink whose arguments may carry a literal. */
export function bindingEvidence(text: string, bindings: Bindings, sinks: Sink[], bound: NameCheck): boolean {
  for (const [local, targets] of bindings) {
    const use = new RegExp(`(?<![\\w$.])${local.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
    for (let m = use.exec(text); m; m = use.exec(text)) {
      CALLEE_REST.lastIndex = m.index + local.length;
      const call = CALLEE_REST.exec(text);
      if (!call) continue;
      const rest = call[1].replace(/[\s?]/g, '');
      const positions = sinkPositions([local + rest, ...targets.map((t) => t + rest)], sinks);
      if (positions.size && argumentsMayCarryLiteral(text, CALLEE_REST.lastIndex - 1, positions, bound)) return true;
    }
  }
  return false;
}

const ALIAS = /[\w$]*\s*(?:\bas\s+|:\s*)([A-Za-z_$][\w$]*)\s*[,}]/y;

/**
 * A call-sink word in a renaming import or destructuring (`{ createHmac as sign }`,
 * `{ createHmac: sign }`): whether a call through the local name may carry a literal. The analysis
 * names such a call module.createHmac, which only `*.createHmac` and bare patterns can match.
 */
export function aliasEvidence(text: string, at: number, wordEnd: number, sinks: Sink[], bound: NameCheck): boolean {
  ALIAS.lastIndex = wordEnd;
  const m = ALIAS.exec(text);
  if (!m) return false;
  let start = at;
  while (start > 0 && isIdentChar(text.charCodeAt(start - 1))) start--;
  const imported = text.slice(start, ALIAS.lastIndex).match(/^[\w$]+/)![0];
  return bindingEvidence(text, new Map([[m[1], [imported, `?.${imported}`]]]), sinks, bound);
}

/** Calls made on a require() result (`require('twilio')(sid, token)`). */
export function directCallEvidence(text: string, calls: { open: number; callee: string }[], sinks: Sink[], bound: NameCheck): boolean {
  for (const c of calls) {
    const positions = sinkPositions([c.callee], sinks);
    if (positions.size && argumentsMayCarryLiteral(text, c.open, positions, bound)) return true;
  }
  return false;
}
