// Pass 2 and the stage's entry point: walk the program once, collect sinks (credential names and
// known API arguments) and the facts flows need (reassignments, local call sites), then evaluate
// each sink back to the literals that reach it.
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { looksLikeSecret } from '../generic.js';
import { isPlaceholder, isReference } from '../placeholder.js';
import { lineIndex, position, type LineIndex } from '../location.js';
import { isAstPath, parseBlock, scriptBlocks, type ScriptBlock } from './parse.js';
import { buildScopes, forEachChild, keyName, lookup, type Node, type Scope } from './scope.js';
import { evalString, lookupPath, memberText, type FlowContext, type Source, type Step } from './values.js';
import { callSinksFor, loadSinks, nameSink, type Sink, type SinkArg, type ValueShape } from './sinks.js';
import { flowEnds, worthParsing, type GateWordHits, type Span } from './gate.js';
import { relevantSlice } from './slice.js';
import type { Confidence, FlowStep } from '../../types.js';

export interface AstHit {
  ruleId: string;
  /** The sink that matched, from rules/sinks.yaml. */
  sinkId: string;
  /** Offsets into the text (UTF-16), end exclusive: the literal's content, or a composite expression. */
  start: number;
  end: number;
  secret: string;
  flow: FlowStep[];
  confidence: Confidence;
}

/** Counters the bench reads: files parsed, parse failures, files the cheap check skipped, time spent. */
export const astStats = { parsed: 0, failed: 0, skipped: 0, ms: 0 };

export function resetAstStats(): void {
  Object.assign(astStats, { parsed: 0, failed: 0, skipped: 0, ms: 0 });
}

const TEST_PATH = /(?:^|\/)(?:tests?|__tests__|__mocks__|fixtures?|__fixtures__)\/|\.(?:test|spec)\.[^/]+$/i;
const I18N_PATH = /(?:^|\/)(?:locales?|i18n|l10n|langs?|translations?)\//i;
const MAX_BYTES = 512 * 1024;
/** Bundles and minified files: nobody hand-writes a 2000-character line, and parsing them is slow. */
function minified(text: string): boolean {
  // indexOf hops line to line; a /[^\n]{2000}/ regex would rescan every line start 2000 chars deep.
  let start = 0;
  for (let nl = text.indexOf('\n'); ; nl = text.indexOf('\n', start)) {
    const end = nl === -1 ? text.length : nl;
    if (end - start >= 2000) return true;
    if (nl === -1) return false;
    start = nl + 1;
  }
}

interface Candidate {
  sink: Sink;
  scope: Scope;
  /** Name sinks: the expression assigned to the credential name and where the name is. */
  value?: Node;
  nameAt?: Node;
  name?: string;
  /** Call sinks: the call. */
  call?: TSESTree.CallExpression | TSESTree.NewExpression;
}

/** Whether detectAst would parse this file (the cheap checks and the lexical gate). */
export function wantsParse(text: string, path: string, bytes?: Uint8Array, covered?: readonly Span[], words?: GateWordHits): boolean {
  const started = performance.now();
  // The gate says no to most files, so it runs before the line-length walk of minified().
  const wanted = isAstPath(path) && text.length <= MAX_BYTES && worthParsing(text, loadSinks(), bytes, covered, words) && !minified(text);
  astStats.ms += performance.now() - started;
  return wanted;
}

/**
 * AST hits of one JS/TS text (or the `<script>` blocks of a .vue/.svelte file). Never throws.
 * `bytes`: the text's UTF-8 bytes when the caller has them (the gate reads an ASCII text's bytes
 * as is). `covered`: spans the pattern rules already report; a literal inside one is no reason to parse.
 */
export function detectAst(
  text: string,
  path: string,
  // `parse`: another parser for the same blocks (the tests compare typescript-estree's trees with ours).
  // `slice: false`: parse whole texts (the tests compare the findings of both).
  // `words`: where the gate's words are, when the caller's pass found them (see GateWordHits).
  options: { gate?: boolean; slice?: boolean; bytes?: Uint8Array; covered?: readonly Span[]; words?: GateWordHits; parse?: (block: ScriptBlock) => TSESTree.Program | undefined } = {},
): AstHit[] {
  const started = performance.now(); // the gate's own cost counts as AST time too
  if (!isAstPath(path) || text.length > MAX_BYTES || (options.gate !== false && !worthParsing(text, loadSinks(), options.bytes, options.covered, options.words)) || minified(text)) {
    astStats.skipped++;
    astStats.ms += performance.now() - started;
    return [];
  }
  try {
    const sinks = loadSinks();
    const hits: AstHit[] = [];
    let index: LineIndex | undefined;
    const parse = options.parse ?? parseBlock;
    const ends = flowEnds(sinks);
    for (const block of scriptBlocks(text, path)) {
      // Statements no flow passes through are blanked first; a slice that does not parse is dropped.
      const sliced = options.slice === false ? block.code : relevantSlice(block.code, ends);
      let program = sliced === block.code ? parse(block) : parse({ ...block, code: sliced });
      if (!program && sliced !== block.code) program = parse(block);
      if (!program) {
        astStats.failed++;
        continue;
      }
      astStats.parsed++;
      index ??= lineIndex(text);
      hits.push(...programHits(program, block, sinks, path, text, index));
    }
    return hits.sort((a, b) => a.start - b.start);
  } catch {
    return []; // an analysis bug must not stop a scan; pattern and generic hits stand
  } finally {
    astStats.ms += performance.now() - started;
  }
}

function programHits(program: TSESTree.Program, block: ScriptBlock, sinks: Sink[], path: string, text: string, index: LineIndex): AstHit[] {
  const { scopeOf } = buildScopes(program);
  const ctx: FlowContext = { code: block.code, calls: new Map(), active: new Set(), hops: 0, depth: 0 };
  const candidates = collect(program, scopeOf, sinks, ctx, !I18N_PATH.test(path));
  const best = new Map<string, { hit: AstHit; rank: number }>();
  const confidenceFor = (sink: Sink): Confidence => (TEST_PATH.test(path) ? 'low' : sink.kind === 'call' ? 'high' : 'medium');
  const add = (sink: Sink, src: Source, shape: ValueShape, sinkStep: Step) => {
    const part = extract(src, shape);
    if (!part || !accept(part.secret, sink, shape, path)) return;
    const steps = [...part.steps, sinkStep];
    const start = part.start + block.offset;
    const end = part.end + block.offset;
    const rank = (sink.kind === 'call' ? 0 : 1000) + steps.length;
    const key = `${start}:${end}`;
    const prev = best.get(key);
    if (prev && prev.rank <= rank) return;
    const flow = steps.map((s): FlowStep => {
      const p = position(index, s.at + block.offset);
      return { line: p.line, column: p.column, name: s.name, ...(s.note ? { note: s.note } : {}) };
    });
    best.set(key, { rank, hit: { ruleId: sink.rule, sinkId: sink.id, start, end, secret: part.composite ? part.secret : text.slice(start, end), flow, confidence: confidenceFor(sink) } });
  };
  for (const c of candidates) {
    if (c.call) {
      for (const arg of c.sink.args!) {
        for (const { src, steps } of argSources(c.call, arg, c.scope, ctx)) {
          add(c.sink, { ...src, steps: [...src.steps, ...steps] }, arg.value ?? 'whole', { at: c.call.range[0], name: c.sink.id, note: c.sink.description ?? 'sink' });
        }
      }
    } else {
      for (const src of evalString(c.value!, c.scope, ctx)) add(c.sink, src, c.sink.value ?? 'whole', { at: c.nameAt!.range[0], name: c.name!, note: 'credential name' });
    }
  }
  return [...best.values()].map((b) => b.hit);
}

function argSources(call: TSESTree.CallExpression | TSESTree.NewExpression, arg: SinkArg, scope: Scope, ctx: FlowContext): { src: Source; steps: Step[] }[] {
  if (arg.when) {
    const other = call.arguments[arg.when.at];
    if (!other || other.type !== 'Literal' || typeof other.value !== 'string' || other.value.toLowerCase() !== arg.when.equals.toLowerCase()) return [];
  }
  const node = call.arguments[arg.at];
  if (!node || node.type === 'SpreadElement') return [];
  const path = arg.path ? arg.path.split('.') : [];
  return lookupPath(node, path, scope, ctx).flatMap((r) => evalString(r.node, r.scope, ctx).map((src) => ({ src, steps: r.steps })));
}

/** Pass 2: sink candidates, plus reassignments and local call sites (recorded into bindings and ctx). */
function collect(program: TSESTree.Program, scopeOf: Map<Node, Scope>, sinks: Sink[], ctx: FlowContext, names: boolean): Candidate[] {
  const callSinks = sinks.filter((s) => s.kind === 'call');
  const out: Candidate[] = [];
  const named = (name: string | undefined, nameAt: Node, value: Node | null | undefined, scope: Scope, inAssertion: boolean) => {
    if (!names || inAssertion || name === undefined || !value) return;
    const sink = nameSink(name, sinks);
    if (sink) out.push({ sink, scope, value, nameAt, name });
  };
  const visit = (node: Node, scope: Scope, parent: Node | undefined, inAssertion: boolean): void => {
    scope = scopeOf.get(node) ?? scope;
    switch (node.type) {
      case 'VariableDeclarator':
        if (node.id.type === 'Identifier') named(node.id.name, node.id, node.init, scope, inAssertion);
        break;
      case 'AssignmentExpression':
        if (node.operator === '=') {
          const left = node.left;
          if (left.type === 'Identifier') {
            lookup(scope, left.name)?.assigned.push({ value: node.right, scope, at: left });
            named(left.name, left, node.right, scope, inAssertion);
          } else if (left.type === 'MemberExpression') {
            named(keyName(left.property, left.computed), left.property, node.right, scope, inAssertion);
          }
        }
        break;
      case 'Property':
        if (parent?.type === 'ObjectExpression' && node.kind === 'init') named(keyName(node.key, node.computed), node.key, node.value, scope, inAssertion);
        break;
      case 'PropertyDefinition':
        named(keyName(node.key, node.computed), node.key, node.value, scope, inAssertion);
        break;
      case 'AssignmentPattern':
        if (node.left.type === 'Identifier') named(node.left.name, node.left, node.right, scope, inAssertion);
        break;
      case 'JSXAttribute':
        if (node.name.type === 'JSXIdentifier' && node.value) {
          const value = node.value.type === 'JSXExpressionContainer' ? (node.value.expression.type === 'JSXEmptyExpression' ? undefined : node.value.expression) : node.value;
          named(node.name.name, node.name, value as Node | undefined, scope, inAssertion);
        }
        break;
      case 'CallExpression':
      case 'NewExpression': {
        const callee = node.callee;
        if (callee.type === 'Identifier') {
          const fn = lookup(scope, callee.name)?.fnNode;
          if (fn) (ctx.calls.get(fn) ?? ctx.calls.set(fn, []).get(fn)!).push({ call: node, scope });
        }
        // Each matching sink once, in sinks.yaml order, whichever of the callee's names matched.
        const matched = new Set<Sink>();
        for (const name of namesOf(callee, scope)) for (const sink of callSinksFor(name, sinks)) matched.add(sink);
        for (const sink of callSinks) if (matched.has(sink)) out.push({ sink, scope, call: node });
        if (!inAssertion && isAssertion(callee)) {
          visit(callee, scope, node, false);
          for (const a of node.arguments) visit(a, scope, node, true);
          return;
        }
        break;
      }
      default:
        break;
    }
    forEachChild(node, (child) => visit(child, scope, node, inAssertion));
  };
  visit(program, scopeOf.get(program)!, undefined, false);
  return out;
}

const ASSERTION_ROOTS = new Set(['expect', 'assert', 'chai', 'should', 'sinon']);
const ASSERTION_METHOD = /^(?:to[A-Z]\w*|(?:be)?[cC]alledWith\w*|deepEqual|deepStrictEqual|strictEqual|equal|equals|eql|is|like|same|match|matches|include|includes)$/;

/** expect(…)/assert(…) chains and matcher calls: objects inside them describe data, not credentials. */
function isAssertion(callee: Node): boolean {
  if (callee.type === 'MemberExpression') {
    const method = keyName(callee.property, callee.computed);
    if (method && ASSERTION_METHOD.test(method)) return true;
  }
  let root: Node = callee;
  while (root.type === 'MemberExpression' || root.type === 'CallExpression') root = root.type === 'MemberExpression' ? root.object : root.callee;
  return root.type === 'Identifier' && ASSERTION_ROOTS.has(root.name);
}

/** The dotted names a callee goes by: as written, and with its import/require resolved to the module. */
function namesOf(callee: Node, scope: Scope): string[] {
  const rest: string[] = [];
  let root: Node = callee;
  while (root.type === 'MemberExpression' || root.type === 'TSNonNullExpression') {
    if (root.type === 'TSNonNullExpression') {
      root = root.expression;
      continue;
    }
    const key = keyName(root.property, root.computed);
    if (key === undefined) return [];
    rest.unshift(key);
    root = root.object;
  }
  const join = (base: string) => [base, ...rest].join('.');
  const required = requiredModule(root);
  if (required !== undefined) return [join(required)];
  // A call result or other expression: only `*.method` patterns can match it.
  if (root.type !== 'Identifier') return rest.length ? [join('?')] : [];
  const names = [join(root.name)];
  const b = lookup(scope, root.name);
  if (b?.kind === 'import' && b.importSource) {
    const mod = b.importSource.replace(/^node:/, '');
    names.push(join(b.importName && b.importName !== 'default' ? `${mod}.${b.importName}` : mod));
  } else if (b?.init && (b.kind === 'const' || b.kind === 'let' || b.kind === 'var')) {
    const mod = requiredModule(b.init);
    if (mod !== undefined) names.push(join([mod, ...b.path].join('.')));
  }
  return names;
}

/** `require('m')` and `require('m').x` → 'm' / 'm.x'. */
function requiredModule(node: Node): string | undefined {
  if (node.type === 'MemberExpression') {
    const base = requiredModule(node.object);
    const key = keyName(node.property, node.computed);
    return base !== undefined && key !== undefined ? `${base}.${key}` : undefined;
  }
  if (node.type === 'AwaitExpression') return requiredModule(node.argument);
  if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'require') {
    const arg = node.arguments[0];
    if (arg?.type === 'Literal' && typeof arg.value === 'string') return arg.value.replace(/^node:/, '');
  }
  return undefined;
}

const URI_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:(?<secret>[^@/\s]+)@/di;
const AUTH_SCHEME = /^(?:bearer|basic|token|bot|digest|apikey|key)\s+(?<secret>\S+)\s*$/di;

/** The part of a literal that is the secret, for the sink's value shape. */
function extract(src: Source, shape: ValueShape): Source | undefined {
  if (shape === 'whole') return src;
  const m = (shape === 'uri' ? URI_PASSWORD : AUTH_SCHEME).exec(src.secret);
  const span = m?.indices?.groups?.secret;
  if (!span) return shape === 'header' ? src : undefined;
  const secret = src.secret.slice(span[0], span[1]);
  if (!src.composite) return { ...src, start: src.start + span[0], end: src.start + span[1], secret };
  // 'Bearer ' + token: the operand that is exactly the credential is the literal to report.
  const part = src.parts?.find((p) => p.secret === secret);
  if (part) return { ...part, steps: [...part.steps, ...src.steps] };
  return { ...src, secret }; // otherwise the whole expression: its text is not the joined value
}

const WEAK_WORDS = new Set(['password', 'pass', 'passwd', 'pwd', 'secret', 'token', 'user', 'username', 'null', 'undefined', 'none']);
// fetch's `credentials: 'include'` and friends, form-field states, auth scheme names.
const NOT_SECRET_VALUES = new Set(['include', 'same-origin', 'omit', 'current-password', 'new-password', 'one-time-code', 'bearer', 'basic', 'oauth', 'oauth2', 'jwt']);
// A single word in sentence case, or words and spaces: a label or translation, not a credential.
const LABEL = /^[A-Z]?[a-z\u00C0-\u024F]+(?:[ '’-][A-Za-z\u00C0-\u024F]+)*[.:!?]?$/;

function accept(secret: string, sink: Sink, shape: ValueShape, path: string): boolean {
  const value = secret.trim();
  if (value.length < 3 || value.length > 4096) return false;
  if (isPlaceholder(value) || isReference(value)) return false;
  if (WEAK_WORDS.has(value.toLowerCase()) || NOT_SECRET_VALUES.has(value.toLowerCase())) return false;
  if (sink.allowRegexes?.some((r) => r.test(value))) return false;
  if (sink.kind === 'call') return true;
  if (LABEL.test(value)) return false;
  return looksLikeSecret(value, sink.rule === 'ast.hardcoded-password' ? 'generic.password' : 'generic.secret', true, shape === 'whole' ? path : 'x.txt');
}

export { memberText, worthParsing };
