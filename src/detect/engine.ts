// One pass per chunk: prefilter over bytes → candidate rules' regexes, validators and entropy
// → generic assignments around credential words → decoded runs scanned once more.
import { isAscii } from 'node:buffer';
import { buildPrefilter, type Prefilter } from './prefilter.js';
import { shannonEntropy } from './entropy.js';
import { isPlaceholder } from './placeholder.js';
import { validators } from './validators.js';
import { detectGeneric, GENERIC_KEYWORDS, GENERIC_RULES } from './generic.js';
import { decodeSpans, encodedRange, encodedSpans, type EncodedSpan } from './decode.js';
import { byteOffset, lineIndex, lineText, position } from './location.js';
import { fingerprint, redact } from './redact.js';
import { AST_RULES, detectAst, isAstPath, sinkKeywords } from './ast/index.js';
import { wantsParse } from './ast/detect.js';
import { gateWords, type GateWordHits } from './ast/gate.js';
import type { Chunk, Confidence, DetectorKind, Finding, FlowStep, Rule, RuleSpec, Severity } from '../types.js';
import type { Span } from './ast/gate.js';

export interface EngineOptions {
  generic?: boolean;
  decode?: boolean;
  /** JS/TS taint checks (src/detect/ast); default true. */
  ast?: boolean;
  /**
   * Worker threads: instead of parsing, flag the chunk (`engine.astWanted`) so the main thread
   * scans it. Loading TypeScript costs ~0.3 s per thread, so one thread should pay it.
   */
  astDefer?: boolean;
}

export interface Engine {
  rules: Rule[];
  prefilter: Prefilter;
  /** For each keyword id, the rule indexes that listed it. */
  rulesByKeyword: number[][];
  /** Keyword ids whose positions the prefilter reports: bit 1 the generic detector's, bit 2 those of keyword-anchored rules. */
  tracked: Uint8Array;
  /** For each keyword id, its length and the keyword-anchored rules that list it. */
  keywordLength: number[];
  anchoredBy: (number[] | undefined)[];
  /** `tracked` for JS/TS texts, with bit 4 on the AST gate's words; each one's index in gateWords(), or -1. */
  trackedAst: Uint8Array;
  gateWordOf: Int16Array;
  generic: boolean;
  decode: boolean;
  /** 1 for keyword ids (credential words and sink names) that make a JS/TS file worth parsing. */
  astTracked: Uint8Array;
  ast: boolean;
  astDefer: boolean;
  /** Set when a chunk wanted the AST stage and `astDefer` left it to the caller. */
  astWanted: boolean;
  /** With astWanted: what the caller needs to finish the chunk elsewhere (finishDeferred). */
  deferred?: Deferred;
}

/** A chunk whose AST stage was left to another thread: its text and the hits found so far. */
export interface Deferred {
  text: string;
  ascii: boolean;
  /** The chunk's size in bytes. */
  size: number;
  hits: RawHit[];
  /** Spans the pattern rules report (no reason to parse for a literal inside one). */
  covered: Span[];
}

/** What a finding needs from its rule (a RuleSpec will do: no compiled regex). */
export type RuleInfo = Pick<RuleSpec, 'name' | 'severity' | 'confidence' | 'remediation'>;

export function createEngine(rules: Rule[], options: EngineOptions = {}): Engine {
  const ids = new Map<string, number>();
  const rulesByKeyword: number[][] = [];
  const idOf = (k: string) => {
    let id = ids.get(k);
    if (id === undefined) {
      id = ids.size;
      ids.set(k, id);
      rulesByKeyword.push([]);
    }
    return id;
  };
  rules.forEach((rule, r) => rule.keywords.forEach((k) => rulesByKeyword[idOf(k)].push(r)));
  const generic = options.generic ?? true;
  const genericIds = generic ? GENERIC_KEYWORDS.map(idOf) : [];
  const ast = options.ast ?? true;
  // A sink name already containing a known keyword (twilio, …) needs no keyword of its own.
  const astIds = ast ? [...GENERIC_KEYWORDS.map(idOf), ...sinkKeywords().map((k) => [...ids.keys()].find((known) => k.includes(known)) ?? k).map(idOf)] : [];
  // The gate's words ride on this pass too, so the gate needs no pass of its own over JS/TS texts.
  const gateIds = ast ? gateWords().map(idOf) : [];
  const keywords = [...ids.keys()];
  const tracked = new Uint8Array(keywords.length);
  for (const id of genericIds) tracked[id] = 1;
  const anchoredBy: (number[] | undefined)[] = keywords.map(() => undefined);
  rules.forEach((rule, r) => {
    if (!rule.anchor || rule.anchor.literals) return;
    for (const k of rule.keywords) {
      const id = ids.get(k)!;
      tracked[id] |= 2;
      (anchoredBy[id] ??= []).push(r);
    }
  });
  const astTracked = new Uint8Array(keywords.length);
  for (const id of astIds) astTracked[id] = 1;
  const keywordLength = keywords.map((k) => k.length);
  const trackedAst = tracked.slice();
  const gateWordOf = new Int16Array(keywords.length).fill(-1);
  gateIds.forEach((id, g) => {
    trackedAst[id] |= 4;
    gateWordOf[id] = g;
  });
  return { rules, prefilter: buildPrefilter(keywords, { cache: true }), rulesByKeyword, tracked, keywordLength, anchoredBy, trackedAst, gateWordOf, generic, decode: options.decode ?? true, astTracked, ast, astDefer: options.astDefer ?? false, astWanted: false, deferred: undefined };
}

export interface RawHit {
  ruleId: string;
  ruleIndex: number; // -1 for generic
  /** From a rule for a shape many providers share (URL password, PEM block): a provider rule on the same span wins. */
  structural?: boolean;
  detector: DetectorKind;
  start: number;
  end: number;
  secret: string;
  encoding?: 'base64' | 'percent';
  flow?: FlowStep[];
  confidence?: Confidence;
}

/** A hit with every field set, in one order: one object shape for the hot loops that sort and compare them. */
function rawHit(
  ruleId: string,
  ruleIndex: number,
  detector: DetectorKind,
  start: number,
  end: number,
  secret: string,
  structural = false,
  flow?: FlowStep[],
  confidence?: Confidence,
  encoding?: 'base64' | 'percent',
): RawHit {
  return { ruleId, ruleIndex, structural, detector, start, end, secret, encoding, flow, confidence };
}

/** Below this length a rule anchored on literals runs over the whole text: finding them would cost more. */
export const ANCHOR_MIN_TEXT = 4096;

/**
 * A rule's matches in a text. An anchored rule (`anchor` in rules/*.yaml) is tried only just
 * before its anchors: `keywordStarts` (where the prefilter saw its keywords; found here when not
 * given) or its literals.
 */
export function patternHits(rule: Rule, ruleIndex: number, text: string, anchored = true, keywordStarts?: number[]): RawHit[] {
  const hits: RawHit[] = [];
  const add = (m: RegExpExecArray) => {
    const span = m.indices?.groups?.secret;
    if (!span) return;
    const secret = text.slice(span[0], span[1]);
    if (!acceptSecret(rule, secret)) return;
    hits.push(rawHit(rule.id, ruleIndex, 'pattern', span[0], span[1], secret, rule.structural === true));
  };
  const anchor = anchored && rule.sticky ? rule.anchor : undefined;
  if (anchor && (!anchor.literals || text.length >= ANCHOR_MIN_TEXT)) {
    const at = anchor.literals ? literalStarts(text, anchor.literals) : (keywordStarts ?? keywordStartsIn(text, rule.keywords));
    // One sticky run from `within` before each anchor tries every start up to it, leftmost first:
    // what the global scan finds, when every match holds an anchor there. Never inside an earlier match.
    const re = rule.sticky!;
    let next = 0;
    for (const p of at) {
      const from = Math.max(next, p - anchor.within);
      if (from > p) continue;
      re.lastIndex = from;
      const m = re.exec(text);
      if (!m) continue;
      next = Math.max(from + m[0].length, from + 1);
      add(m);
    }
    return hits;
  }
  const re = rule.regex;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    add(m);
  }
  return hits;
}

/** Offsets of case-sensitive literals, ascending. */
function literalStarts(text: string, literals: readonly string[]): number[] {
  const at: number[] = [];
  for (const literal of literals) for (let p = text.indexOf(literal); p !== -1; p = text.indexOf(literal, p + 1)) at.push(p);
  return literals.length > 1 ? at.sort((a, b) => a - b) : at;
}

/** Offsets of keywords in any ASCII case, ascending (what the prefilter reports, for callers without it). */
function keywordStartsIn(text: string, keywords: readonly string[]): number[] {
  const re = new RegExp(keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  const at: number[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    at.push(m.index);
    re.lastIndex = m.index + 1; // overlapping keywords each anchor
  }
  return at;
}

/** The checks a regex cannot make: placeholders, decoded value, entropy, validator, allowlist. */
export function acceptSecret(rule: Rule, secret: string): boolean {
  let value = secret;
  if (rule.decode === 'base64') {
    const clean = secret.replace(/\\n|\s/g, '');
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) return false;
    value = Buffer.from(clean, 'base64').toString('utf8');
    if (value.length === 0) return false;
  }
  if (isPlaceholder(value)) return false;
  if (rule.entropy !== undefined && shannonEntropy(value) < rule.entropy) return false;
  if (rule.validator && !validators[rule.validator](secret)) return false;
  if (rule.allow?.values?.includes(secret)) return false;
  if (rule.allowRegexes.some((r) => r.test(secret))) return false;
  return true;
}

/** Raw hits of one text: pattern rules, generic assignments, then decoded runs (depth 1). */
function hitsOf(engine: Engine, getText: () => string, bytes: Uint8Array, path: string, depth: number): RawHit[] {
  const positions: number[] = [];
  const anchorEnds = { ends: [] as number[], ids: [] as number[] };
  const astPath = engine.ast && depth === 0 && isAstPath(path);
  const gateEnds = { ends: [] as number[], ids: [] as number[] };
  const seen = engine.prefilter.scan(bytes, astPath ? engine.trackedAst : engine.tracked, [{ ends: positions }, anchorEnds, gateEnds], MAX_POSITIONS);
  // Rules with a keyword here, each once, in rule order (hits keep the order rules are listed in).
  const candidates: number[] = [];
  let astSeen = false;
  for (let i = 0; i < seen.length; i++) {
    const k = seen[i];
    if (engine.astTracked[k] === 1) astSeen = true;
    for (const r of engine.rulesByKeyword[k]) if (!candidates.includes(r)) candidates.push(r);
  }
  if (candidates.length > 1) candidates.sort((a, b) => a - b);
  let any = positions.length > 0 || candidates.length > 0;
  const hits: RawHit[] = [];
  const parse = astSeen && astPath;
  any ||= parse;
  // Source maps hold VLQ mappings and embedded sources: neither decoded nor read for assignments.
  const sourceMap = path.endsWith('.map');
  const decoding = engine.decode && depth === 0 && !sourceMap;
  const spans = decoding ? encodedSpans(bytes) : [];
  // Most files stop here: text is decoded only when a keyword or an encoded run was seen.
  if (!any && spans.length === 0) return hits;
  const text = getText();
  const ascii = bytes.length === text.length;
  if (any) {
    // Prefilter positions are byte offsets of keyword ends; map them to string offsets for non-ASCII text.
    // At the cap, anchored rules find their own keywords (patternHits) rather than trust a cut list.
    const anchors = anchorEnds.ends.length < MAX_POSITIONS ? keywordStarts(engine, ascii ? anchorEnds.ends : byteToCharOffsets(bytes, anchorEnds.ends), anchorEnds.ids) : undefined;
    for (const r of candidates) {
      const rule = engine.rules[r];
      if (rule.pathMatch && !rule.pathMatch(path)) continue;
      hits.push(...patternHits(rule, r, text, true, anchors?.get(r)));
    }
    if (positions.length && !sourceMap) {
      const offsets = ascii ? positions : byteToCharOffsets(bytes, positions);
      for (const g of detectGeneric(text, offsets, path)) {
        hits.push(rawHit(g.ruleId, -1, 'generic', g.start, g.end, g.secret));
      }
    }
    const covered = parse ? hits.filter((h) => h.detector === 'pattern').map((h): [number, number] => [h.start, h.end]) : [];
    if (parse && engine.astDefer) {
      if (wantsParse(text, path, bytes, covered, gateWordHits(engine, bytes, ascii, gateEnds))) {
        engine.astWanted = true;
        engine.deferred = { text, ascii, size: bytes.length, hits: [], covered };
      }
    } else if (parse) {
      for (const a of detectAst(text, path, { bytes, covered, words: gateWordHits(engine, bytes, ascii, gateEnds) })) {
        hits.push(rawHit(a.ruleId, -1, 'ast', a.start, a.end, a.secret, false, a.flow, a.confidence));
      }
    }
  }
  if (spans.length) {
    const textSpans = ascii ? spans : spansInText(bytes, spans);
    for (const run of decodeSpans(text, textSpans)) {
      const decodedBytes = Buffer.from(run.decoded, 'utf8');
      for (const h of hitsOf(engine, () => run.decoded, decodedBytes, path, depth + 1)) {
        const [start, end] = encodedRange(run, h.start, h.end, text);
        hits.push(rawHit(h.ruleId, h.ruleIndex, h.detector, start, end, h.secret, h.structural, h.flow, h.confidence, run.encoding));
      }
    }
  }
  return hits;
}

/**
 * The AST gate's words as the prefilter found them in a JS/TS text (bit 4 of trackedAst), in the
 * gate's terms: text offsets and gateWords() indexes. Undefined at the cap: the gate then looks itself.
 */
export function gateWordHits(engine: Engine, bytes: Uint8Array, ascii: boolean, found: { ends: number[]; ids: number[] }): GateWordHits | undefined {
  if (found.ends.length >= MAX_POSITIONS) return undefined;
  return { ends: ascii ? found.ends : byteToCharOffsets(bytes, found.ends), ids: found.ids.map((id) => engine.gateWordOf[id]) };
}

/** Most keyword positions one text reports (a cap on memory for pathological input). */
const MAX_POSITIONS = 5_000_000;

/** Keyword-anchored rules → where their keywords start (ascending, no repeats), from their keywords' end offsets. */
function keywordStarts(engine: Engine, ends: number[], ids: number[]): Map<number, number[]> {
  const starts = new Map<number, number[]>();
  for (let i = 0; i < ends.length; i++) {
    const id = ids[i];
    for (const r of engine.anchoredBy[id]!) {
      let list = starts.get(r);
      if (!list) starts.set(r, (list = []));
      const start = ends[i] - engine.keywordLength[id];
      // Ends arrive in order, starts nearly so: keywords of different lengths may swap.
      if (list.length === 0 || list[list.length - 1] < start) list.push(start);
      else if (!list.includes(start)) list.splice(sortedIndex(list, start), 0, start);
    }
  }
  return starts;
}

function sortedIndex(list: number[], value: number): number {
  let i = list.length;
  while (i > 0 && list[i - 1] > value) i--;
  return i;
}

function spansInText(bytes: Uint8Array, spans: EncodedSpan[]): EncodedSpan[] {
  const offsets = byteToCharOffsets(bytes, spans.flatMap((s) => [s.start, s.end]));
  return spans.map((s, i) => ({ ...s, start: offsets[2 * i], end: offsets[2 * i + 1] }));
}

/**
 * Where a UTF-8 text's multi-byte characters end, and how many bytes each has beyond its UTF-16
 * units: all a byte offset needs to become a string offset. Found once per text (several lists
 * are mapped per text), skipping ASCII natively 4 KiB at a time: a 4 MB minified bundle with six
 * non-ASCII bytes was walked byte by byte in JavaScript, once per list (1.9 s of a 5.6 s history
 * scan of this repository).
 */
interface MultiByteChars {
  ends: number[];
  extra: number[];
}

const multiByteCache = new WeakMap<Uint8Array, MultiByteChars>();
const ASCII_BLOCK = 4096;

function multiByteChars(bytes: Uint8Array): MultiByteChars {
  let found = multiByteCache.get(bytes);
  if (found) return found;
  found = { ends: [], extra: [] };
  let b = 0; // the next character's first byte
  for (let block = 0; block < bytes.length; block += ASCII_BLOCK) {
    const end = Math.min(bytes.length, block + ASCII_BLOCK);
    if (b >= end) continue; // inside a character that started in an earlier block
    // (A block that starts inside such a character starts with continuation bytes: never ASCII.)
    if (isAscii(bytes.subarray(block, end))) {
      b = end;
      continue;
    }
    while (b < end) {
      const byte = bytes[b];
      if (byte < 0x80) {
        b++;
        continue;
      }
      const len = byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4;
      b += len;
      found.ends.push(b);
      found.extra.push(len === 4 ? 2 : len - 1); // astral characters are two UTF-16 units
    }
  }
  multiByteCache.set(bytes, found);
  return found;
}

/** UTF-16 offsets of byte offsets (at character starts) in UTF-8 text, in the positions' order. */
function byteToCharOffsets(bytes: Uint8Array, positions: number[]): number[] {
  const { ends, extra } = multiByteChars(bytes);
  // Prefilter ends and span bounds arrive ascending; anything else is mapped in sorted order.
  let ascending = true;
  for (let i = 1; i < positions.length && ascending; i++) ascending = positions[i - 1] <= positions[i];
  const order = ascending ? undefined : [...positions.keys()].sort((a, b) => positions[a] - positions[b]);
  const out = new Array<number>(positions.length);
  let k = 0;
  let fewer = 0;
  for (let j = 0; j < positions.length; j++) {
    const i = order ? order[j] : j;
    const target = positions[i];
    while (k < ends.length && ends[k] <= target) fewer += extra[k++];
    out[i] = target - fewer;
  }
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Overlapping hits: a provider pattern beats an AST flow beats a generic guess; the earlier rule wins a tie. */
function dedupeHits(hits: RawHit[]): RawHit[] {
  if (hits.length < 2) return hits; // most texts: nothing to sort or compare
  const rank = (h: RawHit) => (h.detector === 'pattern' ? 0 : h.detector === 'ast' ? 1 : 2) + (h.encoding ? 1 : 0);
  const sorted = [...hits].sort((a, b) => a.start - b.start || rank(a) - rank(b) || Number(a.structural ?? false) - Number(b.structural ?? false) || a.ruleIndex - b.ruleIndex);
  const kept: RawHit[] = [];
  for (const h of sorted) {
    const clash = kept.find((k) => h.start < k.end && k.start < h.end && (k.detector !== h.detector || (k.start === h.start && k.end === h.end) || h.encoding !== undefined || k.encoding !== undefined));
    if (clash) {
      // A provider pattern beats a generic guess, and a match in the text itself beats one found by decoding.
      if (rank(h) < rank(clash)) kept.splice(kept.indexOf(clash), 1, h);
      continue;
    }
    kept.push(h);
  }
  return kept;
}

const INLINE_ALLOW = /leakfix:allow(?!-next-line)|gitleaks:allow|pragma: allowlist secret/;
const INLINE_ALLOW_NEXT = /leakfix:allow-next-line|pragma: allowlist nextline secret/;

/** Text of file bytes: UTF-8, or Latin-1 when the bytes are not valid UTF-8 (keeps offsets 1:1). */
export function decodeText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !bytes.includes(REPLACEMENT_BYTES)) return bytes.toString('latin1');
  return text;
}
const REPLACEMENT_BYTES = Buffer.from([0xef, 0xbf, 0xbd]);

/** Detects secrets in one chunk; returns findings sorted by position. */
export function detectChunk(engine: Engine, chunk: Chunk): Finding[] {
  const bytes = chunk.bytes ?? Buffer.from(chunk.text ?? '', 'utf8');
  let text = chunk.text;
  const getText = () => (text ??= decodeText(bytes));
  const raw = hitsOf(engine, getText, bytes, chunk.path, 0);
  if (engine.astWanted && engine.deferred) {
    // Left for the thread that parses (finishDeferred): findings are made there, once.
    engine.deferred.hits = raw;
    return [];
  }
  const hits = dedupeHits(raw);
  if (hits.length === 0) return [];
  text = getText();
  return findingsOf(engine.rules, chunk, text, bytes.length === text.length, hits);
}

/** Finishes a deferred chunk (see EngineOptions.astDefer): its AST hits joined to the hits found before. */
export function finishDeferred(rules: readonly RuleInfo[], chunk: Chunk, deferred: Deferred): Finding[] {
  const ast = detectAst(deferred.text, chunk.path, { gate: false, covered: deferred.covered }).map(
    (a) => rawHit(a.ruleId, -1, 'ast', a.start, a.end, a.secret, false, a.flow, a.confidence),
  );
  const hits = dedupeHits([...deferred.hits, ...ast]);
  return hits.length ? findingsOf(rules, chunk, deferred.text, deferred.ascii, hits) : [];
}

/** Findings from deduplicated hits: positions, redaction, inline allow comments, rule metadata. */
function findingsOf(rules: readonly RuleInfo[], chunk: Chunk, text: string, ascii: boolean, hits: RawHit[]): Finding[] {
  const index = lineIndex(text);
  const findings: Finding[] = [];
  for (const h of hits) {
    const start = position(index, h.start);
    if (chunk.lines && !chunk.lines.has(start.line)) continue;
    const first = lineText(text, index, start.line);
    const previous = start.line > 1 ? lineText(text, index, start.line - 1) : '';
    if (INLINE_ALLOW.test(first) || INLINE_ALLOW_NEXT.test(previous)) continue;
    const end = position(index, h.end);
    const rule = h.ruleIndex >= 0 ? rules[h.ruleIndex] : undefined;
    const info = rule ?? GENERIC_RULES[h.ruleId] ?? AST_RULES[h.ruleId];
    const confidence: Confidence = rule?.confidence ?? h.confidence ?? (h.detector === 'generic' ? 'medium' : 'high');
    findings.push({
      ruleId: h.ruleId,
      ruleName: info.name,
      detector: h.detector,
      path: chunk.path,
      origin: chunk.origin,
      range: [h.start, h.end],
      byteRange: [byteOffset(text, h.start, ascii), byteOffset(text, h.end, ascii)],
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      secret: h.secret,
      redacted: redact(h.secret),
      entropy: shannonEntropy(h.secret),
      severity: info.severity,
      confidence,
      fingerprint: fingerprint(h.ruleId, chunk.path, h.secret),
      lineText: redactedLine(first, start.column, end.line === start.line ? end.column : first.length + 1, redact(h.secret)),
      remediation: info.remediation,
      ...(h.encoding ? { encoding: h.encoding } : {}),
      ...(h.flow ? { flow: h.flow } : {}),
    });
  }
  return findings;
}

/** The finding's first line with the secret span replaced, cut to a readable window. */
function redactedLine(line: string, column: number, endColumn: number, redacted: string): string {
  const before = line.slice(Math.max(0, column - 1 - 120), column - 1);
  const after = line.slice(endColumn - 1, endColumn - 1 + 120);
  return `${column - 1 > 120 ? '…' : ''}${before}${redacted}${after}${line.length - (endColumn - 1) > 120 ? '…' : ''}`;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

export function severityAtLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[s] <= SEVERITY_RANK[threshold];
}
