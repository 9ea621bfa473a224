// Sources and flows: which string literals an expression can evaluate to, and the steps each
// literal takes to get there (literal → const → property → member access → parameter …).
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { keyName, lookup, type Binding, type Node, type Scope } from './scope.js';

/** A step of a flow, located by its offset in the parsed code. */
export interface Step {
  at: number;
  name: string;
  note?: string;
}

/** A literal value that reaches an expression. `start`/`end` is the span to report. */
export interface Source {
  start: number;
  end: number;
  secret: string;
  /** True for concatenations and joins: the span covers the whole expression. */
  composite: boolean;
  steps: Step[];
  /** The operands of a concatenation, for sinks that want one of them ('Bearer ' + token). */
  parts?: Source[];
}

interface Located {
  node: Node;
  scope: Scope;
  steps: Step[];
}

export interface FlowContext {
  code: string;
  /** Call sites of local functions, for one hop from argument to parameter. */
  calls: Map<Node, { call: TSESTree.CallExpression | TSESTree.NewExpression; scope: Scope }[]>;
  active: Set<Binding>;
  hops: number;
  depth: number;
}

const MAX_DEPTH = 16;
const MAX_RESULTS = 16;

function unwrap(node: Node): Node {
  while (node.type === 'TSAsExpression' || node.type === 'TSNonNullExpression' || node.type === 'TSSatisfiesExpression' || node.type === 'TSTypeAssertion') node = node.expression;
  return node;
}

/** Dotted text of a member chain for flow step names (config.db.password). */
export function memberText(node: Node): string {
  node = unwrap(node);
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'ThisExpression') return 'this';
  if (node.type === 'MemberExpression') {
    const key = keyName(node.property, node.computed);
    return `${memberText(node.object)}.${key ?? '?'}`;
  }
  if (node.type === 'CallExpression') return `${memberText(node.callee)}()`;
  return '?';
}

function guarded<T>(ctx: FlowContext, run: () => T[]): T[] {
  if (ctx.depth >= MAX_DEPTH) return [];
  ctx.depth++;
  try {
    return run().slice(0, MAX_RESULTS);
  } finally {
    ctx.depth--;
  }
}

/** The string literals an expression evaluates to. */
export function evalString(node: Node, scope: Scope, ctx: FlowContext): Source[] {
  return guarded(ctx, () => {
    node = unwrap(node);
    switch (node.type) {
      case 'Literal': {
        if (typeof node.value !== 'string') return [];
        const [s, e] = node.range;
        return [{ start: s + 1, end: e - 1, secret: ctx.code.slice(s + 1, e - 1), composite: false, steps: [{ at: s, name: 'literal' }] }];
      }
      case 'TemplateLiteral': {
        if (node.expressions.length) return [];
        const [s, e] = node.range;
        return [{ start: s + 1, end: e - 1, secret: ctx.code.slice(s + 1, e - 1), composite: false, steps: [{ at: s, name: 'literal' }] }];
      }
      case 'BinaryExpression': {
        if (node.operator !== '+') return [];
        const left = evalString(node.left, scope, ctx)[0];
        const right = evalString(node.right, scope, ctx)[0];
        if (!left || !right) return [];
        return [{ ...composite(node, left.secret + right.secret, 'concatenation'), parts: [...(left.parts ?? [left]), ...(right.parts ?? [right])] }];
      }
      case 'CallExpression':
        return evalCall(node, scope, ctx);
      case 'Identifier':
        return viaIdentifier(node, scope, ctx, evalString);
      case 'MemberExpression': {
        const key = keyName(node.property, node.computed);
        if (key === undefined) return [];
        const step: Step = { at: node.range[0], name: memberText(node), note: 'member' };
        return lookupPath(node.object, [key], scope, ctx).flatMap((r) => evalString(r.node, r.scope, ctx).map((src) => ({ ...src, steps: [...src.steps, ...r.steps, step] })));
      }
      default:
        return [];
    }
  });
}

function composite(node: Node, secret: string, name: string): Source {
  return { start: node.range[0], end: node.range[1], secret, composite: true, steps: [{ at: node.range[0], name }] };
}

/** `[...].join(sep)` of literals, and `Buffer.from(literal, encoding)`. */
function evalCall(node: TSESTree.CallExpression, scope: Scope, ctx: FlowContext): Source[] {
  const callee = unwrap(node.callee);
  if (callee.type !== 'MemberExpression') return [];
  const method = keyName(callee.property, callee.computed);
  const object = unwrap(callee.object);
  if (method === 'join' && object.type === 'ArrayExpression') {
    const parts: string[] = [];
    for (const el of object.elements) {
      const value = el && el.type !== 'SpreadElement' ? evalString(el, scope, ctx)[0] : undefined;
      if (!value) return [];
      parts.push(value.secret);
    }
    const arg = node.arguments[0];
    const sep = arg === undefined ? ',' : arg.type === 'Literal' && typeof arg.value === 'string' ? arg.value : undefined;
    if (sep === undefined) return [];
    return [composite(node, parts.join(sep), 'join')];
  }
  if (method === 'from' && object.type === 'Identifier' && object.name === 'Buffer' && node.arguments[0]) {
    const step: Step = { at: node.range[0], name: 'Buffer.from' };
    return evalString(node.arguments[0], scope, ctx).map((s) => ({ ...s, steps: [...s.steps, step] }));
  }
  return [];
}

/** Follows an identifier to every value its binding is given (init, reassignments, call-site arguments). */
function viaIdentifier<T extends { steps: Step[] }>(id: TSESTree.Identifier, scope: Scope, ctx: FlowContext, f: (node: Node, scope: Scope, ctx: FlowContext) => T[]): T[] {
  const b = lookup(scope, id.name);
  if (!b || ctx.active.has(b)) return [];
  ctx.active.add(b);
  try {
    const out: T[] = [];
    const through = (node: Node, nodeScope: Scope, path: string[], extra: Step[]) => {
      for (const r of lookupPath(node, path, nodeScope, ctx)) {
        for (const x of f(r.node, r.scope, ctx)) out.push({ ...x, steps: [...x.steps, ...r.steps, ...extra] });
      }
    };
    if (b.kind === 'const' || b.kind === 'let' || b.kind === 'var') {
      const step: Step = { at: b.id.range[0], name: b.name, note: b.path.length ? 'destructuring' : b.kind };
      if (b.init) through(b.init, b.scope, b.path, [step]);
      for (const a of b.assigned) through(a.value, a.scope, [], [{ at: a.at.range[0], name: b.name, note: 'assignment' }]);
    } else if (b.kind === 'param' && b.fn && ctx.hops === 0) {
      // One hop: a local function's parameter takes the literals its call sites pass.
      ctx.hops++;
      try {
        for (const site of ctx.calls.get(b.fn) ?? []) {
          const arg = site.call.arguments[b.index!];
          if (!arg || arg.type === 'SpreadElement') continue;
          const callStep: Step = { at: site.call.range[0], name: `${memberText(site.call.callee)}()`, note: `argument ${b.index! + 1}` };
          through(arg, site.scope, b.path, [callStep, { at: b.id.range[0], name: b.name, note: 'parameter' }]);
        }
      } finally {
        ctx.hops--;
      }
    }
    return out;
  } finally {
    ctx.active.delete(b);
  }
}

/** Object literals an expression evaluates to. */
function resolveObject(node: Node, scope: Scope, ctx: FlowContext): Located[] {
  return guarded(ctx, () => {
    node = unwrap(node);
    if (node.type === 'ObjectExpression') return [{ node, scope, steps: [] }];
    if (node.type === 'Identifier') return viaIdentifier(node, scope, ctx, resolveObject);
    if (node.type === 'MemberExpression') {
      const key = keyName(node.property, node.computed);
      if (key === undefined) return [];
      // Intermediate member steps (config.db in config.db.pw) add nothing the property steps lack.
      return lookupPath(node.object, [key], scope, ctx).flatMap((r) => resolveObject(r.node, r.scope, ctx).map((o) => ({ ...o, steps: [...o.steps, ...r.steps] })));
    }
    return [];
  });
}

/** The value expressions of property `key` in an object literal (last one wins; spreads followed). */
function getProperty(obj: TSESTree.ObjectExpression, key: string, scope: Scope, ctx: FlowContext): Located[] {
  const wanted = key.toLowerCase();
  for (let i = obj.properties.length - 1; i >= 0; i--) {
    const p = obj.properties[i];
    if (p.type === 'SpreadElement') {
      const found = resolveObject(p.argument, scope, ctx).flatMap((o) =>
        getProperty(o.node as TSESTree.ObjectExpression, key, o.scope, ctx).map((v) => ({ ...v, steps: [...v.steps, ...o.steps, { at: p.range[0], name: memberText(p.argument), note: 'spread' }] })),
      );
      if (found.length) return found;
      continue;
    }
    const name = keyName(p.key, p.computed);
    if (name === undefined || name.toLowerCase() !== wanted) continue;
    if (p.kind !== 'init') return [];
    return [{ node: p.value, scope, steps: [{ at: p.key.range[0], name, note: p.shorthand ? 'shorthand property' : 'property' }] }];
  }
  return [];
}

/** The expressions at a property path inside what `node` evaluates to; an empty path is the node itself. */
export function lookupPath(node: Node, path: string[], scope: Scope, ctx: FlowContext): Located[] {
  if (path.length === 0) return [{ node, scope, steps: [] }];
  return resolveObject(node, scope, ctx).flatMap((o) =>
    getProperty(o.node as TSESTree.ObjectExpression, path[0], o.scope, ctx).flatMap((v) =>
      lookupPath(v.node, path.slice(1), v.scope, ctx).map((r) => ({ ...r, steps: [...r.steps, ...v.steps, ...o.steps] })),
    ),
  );
}
