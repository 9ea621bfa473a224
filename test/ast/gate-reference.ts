// The AST gate as it was before it moved onto the prefilter's automaton (src/detect/ast/gate.ts):
// whole-text case-insensitive regexes. Kept only as the reference the new gate must agree with.
import { credentialKind } from '../../src/detect/generic.js';
import { loadSinks, nameSink, type Sink } from '../../src/detect/ast/sinks.js';

// Cheap lexical evidence that a literal may reach a sink the pattern and generic detectors cannot
// judge; parsing costs ~50x a regex pass, so files without it are never parsed.
// The words inside every name sink's names (rules/sinks.yaml), as specific as possible: `key`, `url`
// alone occur thousands of times in ordinary code.
const CREDENTIAL_WORD = /pass|pwd|secret|token|auth|bearer|credential|(?:api|access|private|signing|master|hmac|encryption|app|license|client|consumer|subscription|jwt)[-_]?key|conn(?:ection)?[-_]?string|(?:database|db|mongo(?:db)?|redis|postgres|mysql)[-_]?ur[il]/gi;
const isIdentChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
// Between a name and its `:`/`=`: a closing quote or bracket, spaces.
const isAssignLead = (c: number) => c === 34 || c === 39 || c === 96 || c === 93 || c === 32 || c === 9;
// After a credential name: an assignment whose value is a name (not env/request data), an array
// (join), Buffer.from, or a concatenation starting with a literal. A plain literal value is left
// to the generic detector; `pass: '…'` (nodemailer) is the one short name it does not know.
const INDIRECT_VALUE = /["'`]?\]?[ \t]*(?::|=(?![=>]))[ \t]*(?:(?!(?:process|import|req|request|res|ctx|this|props|event|e|env|window|document|await|new|typeof|function|async|true|false|null|undefined|require|string|number|boolean|any|unknown|never|object|void|bigint|symbol)\b)(?<root>[A-Za-z_$][\w$]*)(?:\.[A-Za-z_$][\w$]*)*[ \t]*(?:[,;)}\r\n]|$)|\[|Buffer\.from\(|["'`][^"'`\r\n]*["'`][ \t]*\+)/y;

export function referenceWorthParsing(text: string, sinks: Sink[] = loadSinks()): boolean {
  if (sinkWords(sinks).test(text)) return true;
  const checked = new Set<string>();
  CREDENTIAL_WORD.lastIndex = 0;
  for (let m = CREDENTIAL_WORD.exec(text); m; m = CREDENTIAL_WORD.exec(text)) {
    let end = m.index + m[0].length;
    while (end < text.length && isIdentChar(text.charCodeAt(end))) end++;
    CREDENTIAL_WORD.lastIndex = end;
    // Most occurrences (token.length, auth(), a comment) are not followed by `:`/`=`: skip them before any word splitting.
    let next = end;
    while (next < text.length && next - end < 4 && isAssignLead(text.charCodeAt(next))) next++;
    const c = text.charCodeAt(next);
    if (c !== 58 /* : */ && c !== 61 /* = */) continue;
    let start = m.index;
    while (start > 0 && isIdentChar(text.charCodeAt(start - 1))) start--;
    const name = text.slice(start, end);
    // The cheap sticky regexes run before the word splitting of nameSink.
    INDIRECT_VALUE.lastIndex = end;
    const v = INDIRECT_VALUE.exec(text);
    if (!v) {
      // A literal under a name the generic detector does not know (pass, Authorization, connectionString …).
      if (LITERAL_VALUE.test(text.slice(end, end + 300)) && !credentialKind(name) && (nameSink(name, sinks) || /^pass$/i.test(name))) return true;
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

const LITERAL_VALUE = /^["'`]?\]?[ \t]*(?::|=)[ \t]*(?:"[^"\r\n]{3,}"|'[^'\r\n]{3,}'|`[^`$\r\n]{3,}`)/;

function boundToLiteral(text: string, name: string): boolean {
  const n = name.replace(/\$/g, '\\$');
  return new RegExp(`(?<![\\w$.])${n}[ \\t]*(?::|=(?![=>]))[ \\t]*["'\`[{]|(?<![\\w$.])${n}[ \\t]*=[ \\t]*(?:Buffer\\.from|\\[)|[(,][ \\t]*${n}[ \\t]*[,)=]`).test(text);
}

const sinkWordRegexes = new WeakMap<Sink[], RegExp>();
function sinkWords(sinks: Sink[]): RegExp {
  let re = sinkWordRegexes.get(sinks);
  if (!re) {
    // A sink word counts as a call (stripe(…), jwt.sign(…)) or as a module name ('jsonwebtoken'),
    // not as a mere mention (const stripeSecretKey = …, which the pattern rules judge).
    const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const all = sinks.flatMap((s) => (s.kind === 'call' ? s.keywords ?? [] : [])).map((w) => w.replace(/^["']|["']$/g, ''));
    const literal = all.filter((w) => w.endsWith('(')).map(escape); // already a call: `.auth(`
    const alternatives = all.filter((w) => !w.endsWith('(')).map(escape).join('|');
    re = new RegExp([`["'](?:${alternatives})`, `(?:${alternatives})[\\w$.]*\\s*\\(`, ...literal].join('|'), 'i');
    sinkWordRegexes.set(sinks, re);
  }
  return re;
}

