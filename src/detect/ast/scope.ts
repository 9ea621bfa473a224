// Pass 1: lexical scopes and the bindings they declare, so an identifier at a sink can be
// followed back to the literal it was bound to. Flow-insensitive on purpose: every value a
// binding is ever given counts.
import type { TSESTree } from '@typescript-eslint/typescript-estree';

export type Node = TSESTree.Node;

export interface Scope {
  parent?: Scope;
  vars: Map<string, Binding>;
}

export interface Assignment {
  value: Node;
  scope: Scope;
  at: Node;
}

export interface Binding {
  name: string;
  kind: 'const' | 'let' | 'var' | 'param' | 'import' | 'function' | 'class' | 'other';
  id: Node;
  /** Scope the initializer is evaluated in. */
  scope: Scope;
  /** Declarator initializer; with `path`, the object destructured. */
  init?: Node;
  /** Property path inside `init` for destructured bindings (const { db: { password } } = config). */
  path: string[];
  /** Later `name = value` assignments (let/var), collected in pass 2. */
  assigned: Assignment[];
  /** For params: the function and the parameter index. */
  fn?: Node;
  index?: number;
  /** For functions (declared or bound to a const): the function node, whose call sites feed its params. */
  fnNode?: Node;
  importSource?: string;
  importName?: string;
}

// Keys that never hold runtime expressions (types) or that would loop (parent).
const SKIP_KEYS = new Set(['parent', 'range', 'loc', 'typeAnnotation', 'typeParameters', 'typeArguments', 'returnType', 'decorators', 'superTypeArguments', 'implements']);

export function forEachChild(node: Node, visit: (child: Node) => void): void {
  const record = node as unknown as Record<string, unknown>;
  for (const key in record) {
    if (SKIP_KEYS.has(key)) continue;
    const value = record[key];
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof (child as Node).type === 'string') visit(child as Node);
    } else if (value && typeof value === 'object' && typeof (value as Node).type === 'string') {
      visit(value as Node);
    }
  }
}

export function lookup(scope: Scope | undefined, name: string): Binding | undefined {
  for (let s = scope; s; s = s.parent) {
    const b = s.vars.get(name);
    if (b) return b;
  }
  return undefined;
}

/** The name of a non-computed (or string-literal computed) property key. */
export function keyName(key: Node, computed: boolean): string | undefined {
  if (!computed && key.type === 'Identifier') return key.name;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  if (!computed && key.type === 'PrivateIdentifier') return key.name;
  return undefined;
}

function isFunction(node: Node): boolean {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/** Identifiers a pattern declares, each with its property path (array elements are skipped). */
function patternNames(pattern: Node, path: string[], out: { id: TSESTree.Identifier; path: string[] }[]): void {
  switch (pattern.type) {
    case 'Identifier':
      out.push({ id: pattern, path });
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left, path, out);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) {
        if (p.type !== 'Property') continue;
        const key = keyName(p.key, p.computed);
        if (key !== undefined) patternNames(p.value, [...path, key], out);
      }
      break;
    case 'TSParameterProperty':
      patternNames(pattern.parameter, path, out);
      break;
    default:
      break; // arrays and rest elements: not followed
  }
}

export interface ScopeIndex {
  root: Scope;
  /** The scope a scope-creating node opens. */
  scopeOf: Map<Node, Scope>;
}

export function buildScopes(program: TSESTree.Program): ScopeIndex {
  const root: Scope = { vars: new Map() };
  const scopeOf = new Map<Node, Scope>([[program, root]]);
  const declare = (scope: Scope, b: Omit<Binding, 'assigned' | 'path'> & { path?: string[] }) => {
    if (!scope.vars.has(b.name)) scope.vars.set(b.name, { path: [], ...b, assigned: [] });
  };

  const visit = (node: Node, scope: Scope, fnScope: Scope): void => {
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const inner: Scope = { parent: scope, vars: new Map() };
        scopeOf.set(node, inner);
        if (node.id) declare(node.type === 'FunctionDeclaration' ? scope : inner, { name: node.id.name, kind: 'function', id: node.id, scope, fnNode: node });
        node.params.forEach((param, index) => {
          const names: { id: TSESTree.Identifier; path: string[] }[] = [];
          patternNames(param, [], names);
          for (const n of names) declare(inner, { name: n.id.name, kind: 'param', id: n.id, scope: inner, path: n.path, fn: node, index });
        });
        for (const p of node.params) visit(p, inner, inner);
        if (node.body) visit(node.body, inner, inner);
        return;
      }
      case 'BlockStatement':
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'SwitchStatement':
      case 'CatchClause':
      case 'StaticBlock': {
        const inner: Scope = { parent: scope, vars: new Map() };
        scopeOf.set(node, inner);
        if (node.type === 'CatchClause' && node.param) {
          const names: { id: TSESTree.Identifier; path: string[] }[] = [];
          patternNames(node.param, [], names);
          for (const n of names) declare(inner, { name: n.id.name, kind: 'other', id: n.id, scope: inner });
        }
        forEachChild(node, (c) => visit(c, inner, fnScope));
        return;
      }
      case 'VariableDeclaration': {
        const kind = node.kind === 'const' || node.kind === 'let' || node.kind === 'var' ? node.kind : 'const';
        const target = kind === 'var' ? fnScope : scope;
        for (const d of node.declarations) {
          const names: { id: TSESTree.Identifier; path: string[] }[] = [];
          patternNames(d.id, [], names);
          const fnNode = d.init && d.id.type === 'Identifier' && isFunction(d.init) ? d.init : undefined;
          for (const n of names) declare(target, { name: n.id.name, kind, id: n.id, scope, init: d.init ?? undefined, path: n.path, fnNode });
        }
        break;
      }
      case 'ImportDeclaration': {
        for (const s of node.specifiers) {
          const importName = s.type === 'ImportSpecifier' ? keyName(s.imported, false) : undefined;
          declare(scope, { name: s.local.name, kind: 'import', id: s.local, scope, importSource: node.source.value, importName });
        }
        return;
      }
      case 'ClassDeclaration':
        if (node.id) declare(scope, { name: node.id.name, kind: 'class', id: node.id, scope });
        break;
      default:
        break;
    }
    forEachChild(node, (c) => visit(c, scope, fnScope));
  };
  forEachChild(program, (c) => visit(c, root, root));
  return { root, scopeOf };
}
