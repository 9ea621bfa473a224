// Credential sinks as data: rules/sinks.yaml → compiled matchers. A `name` sink is a
// credential-named variable, property, key, parameter or JSX attribute; a `call` sink is an
// argument (or a property path inside one) of a known API.
import { readFileSync } from 'node:fs';
import { words } from '../generic.js';
import { parseYaml, readYamlCached } from '../../rules/yaml-cache.js';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { BUILTIN_RULES_DIR } from '../../rules/load.js';
import { AST_RULES } from './rules.js';

/** How a sink's string value holds the secret: whole, the password of a URI, or after an auth scheme. */
export type ValueShape = 'whole' | 'uri' | 'header';

export interface SinkArg {
  at: number;
  /** Dotted property path inside the argument (case-insensitive), e.g. credentials.secretAccessKey. */
  path?: string;
  value?: ValueShape;
  /** Only when another argument is this string literal (case-insensitive), e.g. .set('Authorization', …). */
  when?: { at: number; equals: string };
}

export interface SinkExample {
  code: string;
  secret: string;
  flow: string[];
  path?: string;
}

export interface SinkSpec {
  id: string;
  rule: string;
  kind: 'name' | 'call';
  description?: string;
  /** name sinks: identifier tails, lower-case with separators removed (apiKey → apikey). */
  names?: string[];
  value?: ValueShape;
  /** call sinks: dotted callee patterns (`*` matches anything); imports and require() are resolved first. */
  callee?: string[];
  args?: SinkArg[];
  /** Regexes of values that are public by design (Stripe publishable keys), never reported. */
  allow?: string[];
  /** Lower-case words that must occur in a file for this sink to matter (prefilter). */
  keywords?: string[];
  examples: SinkExample[];
  negative_examples: { code: string; why: string; path?: string }[];
}

export interface Sink extends SinkSpec {
  calleeRegex?: RegExp;
  allowRegexes?: RegExp[];
}

export const SINKS_FILE = join(BUILTIN_RULES_DIR, 'sinks.yaml');

let loaded: Sink[] | undefined;

export function loadSinks(file = SINKS_FILE): Sink[] {
  if (file === SINKS_FILE && loaded) return loaded;
  let data: unknown;
  try {
    data = readYamlCached(file, () => parseYaml(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new UserError(`${file}: cannot read sinks: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(data)) throw new UserError(`${file}: sinks must be a YAML list`);
  const sinks = data.map((spec: SinkSpec) => compileSink(spec, file));
  if (file === SINKS_FILE) loaded = sinks;
  return sinks;
}

function compileSink(spec: SinkSpec, file: string): Sink {
  const fail = (msg: string): never => {
    throw new UserError(`${file}: sink ${spec?.id ?? '(no id)'}: ${msg}`);
  };
  if (typeof spec?.id !== 'string') fail('`id` is required');
  if (!(spec.rule in AST_RULES)) fail(`unknown rule ${JSON.stringify(spec.rule)} (known: ${Object.keys(AST_RULES).join(', ')})`);
  let allowRegexes: RegExp[] | undefined;
  try {
    allowRegexes = spec.allow?.map((r) => new RegExp(r));
  } catch (err) {
    fail(`invalid allow regex: ${(err as Error).message}`);
  }
  if (spec.kind === 'name') {
    if (!Array.isArray(spec.names) || spec.names.some((n) => !/^[a-z0-9]+$/.test(n))) fail('`names` must be lower-case letters and digits');
    return { ...spec, allowRegexes };
  }
  if (spec.kind !== 'call') fail('`kind` must be name or call');
  if (!Array.isArray(spec.callee) || spec.callee.length === 0) fail('`callee` must be a non-empty list');
  if (!Array.isArray(spec.args) || spec.args.some((a) => !Number.isInteger(a?.at))) fail('`args` must be a list of { at: n }');
  // ASCII only: the pre-parse gate (gate.ts) matches them byte for byte, ASCII case folded.
  for (const k of spec.keywords ?? []) if (k !== k.toLowerCase() || k.length < 3 || !/^[\x20-\x7e]+$/.test(k)) fail(`keyword ${JSON.stringify(k)} must be lower-case printable ASCII, >= 3 chars`);
  const alternatives = spec.callee!.map((c) => c.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  return { ...spec, allowRegexes, calleeRegex: new RegExp(`^(?:${alternatives.join('|')})$`) };
}

/** The lower-case words the prefilter must look for so every call sink can trigger the AST stage. */
export function sinkKeywords(sinks: Sink[] = loadSinks()): string[] {
  return [...new Set(sinks.flatMap((s) => s.keywords ?? []))];
}


interface NameIndex {
  byWords: Map<string, Sink>;
  /** Identifier → its sink (null: none); identifiers repeat, word splitting is not free. */
  memo: Map<string, Sink | null>;
}
const nameIndexes = new WeakMap<Sink[], NameIndex>();

function nameIndex(sinks: Sink[]): NameIndex {
  let index = nameIndexes.get(sinks);
  if (!index) {
    index = { byWords: new Map(), memo: new Map() };
    for (const s of sinks) if (s.kind === 'name') for (const n of s.names!) index.byWords.set(n, s);
    nameIndexes.set(sinks, index);
  }
  return index;
}

/** The name sink an identifier belongs to: its last one to three words, joined, name one; the longest wins. */
export function nameSink(identifier: string, sinks: Sink[] = loadSinks()): Sink | undefined {
  const index = nameIndex(sinks);
  const known = index.memo.get(identifier);
  if (known !== undefined) return known ?? undefined;
  const w = words(identifier);
  let found: Sink | undefined;
  for (let k = Math.min(3, w.length); k >= 1 && !found; k--) found = index.byWords.get(w.slice(w.length - k).join(''));
  if (index.memo.size > 50_000) index.memo.clear();
  index.memo.set(identifier, found ?? null);
  return found;
}

const calleeMemos = new WeakMap<Sink[], Map<string, Sink[]>>();

/** The call sinks whose callee patterns match a dotted callee name (memoized per name). */
export function callSinksFor(callee: string, sinks: Sink[]): Sink[] {
  let memo = calleeMemos.get(sinks);
  if (!memo) calleeMemos.set(sinks, (memo = new Map()));
  let found = memo.get(callee);
  if (!found) {
    found = sinks.filter((s) => s.kind === 'call' && s.calleeRegex!.test(callee));
    if (memo.size > 50_000) memo.clear();
    memo.set(callee, found);
  }
  return found;
}
