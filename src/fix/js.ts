// JS/TS sites: the string literal that holds a secret, what it is assigned to (for names),
// the config object it belongs to (for grouping), and whether `await` is allowed there.
import { createRequire } from 'node:module';
import type { TSESTree } from '@typescript-eslint/typescript-estree';

type Node = TSESTree.Node;
type ParseFn = typeof import('@typescript-eslint/typescript-estree').parse;
let parseFn: ParseFn | undefined;

const JS_EXT = /\.(?:[cm]?[jt]s|[jt]sx)$/i;
export const isJsPath = (path: string): boolean => JS_EXT.test(path);
export const isTsPath = (path: string): boolean => /\.[cm]?tsx?$/i.test(path);

/** Parses a JS/TS file; throws the parser's error (verification wants the reason). */
export function parseJs(text: string, path: string): TSESTree.Program {
  parseFn ??= (createRequire(import.meta.url)('@typescript-eslint/typescript-estree') as typeof import('@typescript-eslint/typescript-estree')).parse;
  const ts = isTsPath(path);
  const jsx = !ts || /\.tsx$/i.test(path);
  return parseFn(text, { range: true, loc: false, comment: false, tokens: false, jsx, jsDocParsingMode: 'none', filePath: ts ? (jsx ? 'f.tsx' : 'f.ts') : 'f.jsx', loggerFn: false });
}

export function tryParseJs(text: string, path: string): TSESTree.Program | undefined {
  try {
    return parseJs(text, path);
  } catch {
    return undefined;
  }
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent' || key === 'range' || key === 'loc') continue;
    if (Array.isArray(value)) {
      for (const v of value) if (v && typeof v === 'object' && typeof (v as Node).type === 'string') out.push(v as Node);
    } else if (value && typeof value === 'object' && typeof (value as Node).type === 'string') out.push(value as Node);
  }
  return out;
}

/** Nodes from the program down to the innermost one that contains [start, end). */
export function ancestorsAt(program: TSESTree.Program, start: number, end: number): Node[] {
  const path: Node[] = [program];
  for (;;) {
    const next = children(path[path.length - 1]).find((c) => c.range[0] <= start && end <= c.range[1]);
    if (!next) return path;
    path.push(next);
  }
}

/** The name a node is known by in code: `x`, `a.b.c` → `c`, `new Pool()` → `Pool`. */
function nodeName(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'Identifier':
      return node.name;
    case 'PrivateIdentifier':
      return node.name;
    case 'Literal':
      return typeof node.value === 'string' ? node.value : undefined;
    case 'MemberExpression':
      return node.computed && node.property.type !== 'Literal' ? undefined : nodeName(node.property);
    case 'CallExpression':
    case 'NewExpression':
      return nodeName(node.callee);
    case 'TSNonNullExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
      return nodeName(node.expression);
    default:
      return undefined;
  }
}

const GENERIC_HOLDERS = new Set(['exports', 'module', 'default', 'config', 'options', 'opts', 'settings']);

/** What the expression at ancestors[i] is assigned to or passed to, outermost-meaningful first. */
function holderName(ancestors: Node[], i: number): string | undefined {
  const node = ancestors[i];
  const parent = ancestors[i - 1];
  if (!parent) return undefined;
  switch (parent.type) {
    case 'VariableDeclarator':
      return parent.init === node ? nodeName(parent.id) : undefined;
    case 'Property':
    case 'PropertyDefinition':
      if (parent.value !== node || parent.computed) return undefined;
      return nodeName(parent.key);
    case 'AssignmentExpression':
    case 'AssignmentPattern':
      return parent.right === node ? nodeName(parent.left) : undefined;
    case 'CallExpression':
    case 'NewExpression':
      return parent.arguments.includes(node as TSESTree.CallExpressionArgument) ? nodeName(parent.callee) : undefined;
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
      return holderName(ancestors, i - 1);
    case 'JSXExpressionContainer':
      return ancestors[i - 2]?.type === 'JSXAttribute' ? nodeName((ancestors[i - 2] as TSESTree.JSXAttribute).name as unknown as Node) : undefined;
    default:
      return undefined;
  }
}

/** A readable name for an object literal: its holder, prefixed by the enclosing object's when nested. */
function objectName(ancestors: Node[], i: number): string | undefined {
  const own = holderName(ancestors, i);
  const parent = ancestors[i - 1];
  if (parent?.type === 'Property' && ancestors[i - 2]?.type === 'ObjectExpression') {
    const outer = objectName(ancestors, i - 2);
    if (outer && !GENERIC_HOLDERS.has(outer.toLowerCase())) return own ? `${outer}_${own}` : outer;
  }
  return own && GENERIC_HOLDERS.has(own.toLowerCase()) && own !== 'config' ? undefined : own;
}

/** Non-secret connection fields that travel with a moved secret in one config object. */
const COMPANIONS = new Set(['user', 'username', 'host', 'hostname', 'database', 'dbname', 'db']);

export interface JsCompanion {
  key: string;
  value: string;
  literal: [number, number];
}

export interface JsSite {
  /** The whole literal, quotes included. */
  literal: [number, number];
  quote: string;
  /** The secret is the literal's whole value; otherwise it is one part of it. */
  whole: boolean;
  /** The value the program sees (escapes resolved). */
  value: string;
  /** Raw source inside the quotes before and after the secret (partial literals only). */
  before: string;
  after: string;
  /** The literal is a JSX attribute value: a replacement needs braces. */
  jsxAttribute: boolean;
  /** The property/variable/callee the literal is assigned or passed to. */
  holder?: string;
  /** The config object the literal is a property of. */
  group?: { range: [number, number]; name?: string; key: string; companions: JsCompanion[] };
  awaitAllowed: boolean;
}

function isModule(program: TSESTree.Program, path: string): boolean {
  if (/\.c[jt]s$/i.test(path)) return false;
  if (/\.m[jt]s$/i.test(path)) return true;
  return program.body.some((s) => s.type === 'ImportDeclaration' || s.type.startsWith('Export'));
}

function awaitAllowedAt(ancestors: Node[], program: TSESTree.Program, path: string): boolean {
  for (let i = ancestors.length - 1; i > 0; i--) {
    const n = ancestors[i];
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') {
      // Parameters' defaults are evaluated before the body: no await there.
      const inParams = n.params.some((p) => ancestors.includes(p));
      return n.async && !inParams && !n.generator;
    }
    if (n.type === 'PropertyDefinition' || n.type === 'StaticBlock' || n.type === 'ClassBody') return false;
  }
  return isModule(program, path);
}

function companionsOf(obj: TSESTree.ObjectExpression, exclude: Node): JsCompanion[] {
  const out: JsCompanion[] = [];
  for (const p of obj.properties) {
    if (p.type !== 'Property' || p.computed || p.value === exclude) continue;
    const key = nodeName(p.key);
    if (!key || !COMPANIONS.has(key.toLowerCase())) continue;
    const v = p.value;
    if (v.type === 'Literal' && typeof v.value === 'string' && v.value.length > 0) out.push({ key, value: v.value, literal: [v.range[0], v.range[1]] });
  }
  return out;
}

/** The rewrite site of a secret at [start, end), or a reason it must be moved by hand. */
export function jsSite(program: TSESTree.Program, text: string, path: string, start: number, end: number): JsSite | { manual: string } {
  const ancestors = ancestorsAt(program, start, end);
  let i = ancestors.length - 1;
  let node = ancestors[i];
  if (node.type === 'TemplateElement') node = ancestors[--i];
  let value: string;
  if (node.type === 'Literal' && typeof node.value === 'string') value = node.value;
  else if (node.type === 'TemplateLiteral' && node.expressions.length === 0) value = node.quasis[0].value.cooked ?? '';
  else return { manual: 'not inside a plain string literal' };
  const parent = ancestors[i - 1];
  if (parent?.type === 'TSLiteralType' || parent?.type === 'ImportDeclaration' || parent?.type === 'ExportAllDeclaration' || parent?.type === 'ExportNamedDeclaration' || parent?.type === 'ImportExpression') {
    return { manual: 'a string in a type or import position' };
  }
  if ((parent?.type === 'Property' || parent?.type === 'PropertyDefinition' || parent?.type === 'MethodDefinition') && parent.key === node) {
    return { manual: 'the secret is a property name' };
  }
  if (parent?.type === 'TaggedTemplateExpression') return { manual: 'a tagged template' };
  const literal: [number, number] = [node.range[0], node.range[1]];
  const quote = text[literal[0]];
  const inner = text.slice(literal[0] + 1, literal[1] - 1);
  const rs = Math.max(0, start - literal[0] - 1);
  const re = Math.min(inner.length, end - literal[0] - 1);
  const whole = rs === 0 && re === inner.length;
  const before = whole ? '' : inner.slice(0, rs);
  const after = whole ? '' : inner.slice(re);
  if (!whole) {
    value = inner.slice(rs, re);
    if (value.includes('\\')) return { manual: 'the secret holds escape sequences inside a longer string' };
  }
  const site: JsSite = {
    literal,
    quote,
    whole,
    value,
    before,
    after,
    jsxAttribute: parent?.type === 'JSXAttribute',
    holder: holderName(ancestors, i) ?? (parent?.type === 'JSXAttribute' ? nodeName(parent.name as unknown as Node) : undefined),
    awaitAllowed: awaitAllowedAt(ancestors, program, path),
  };
  if (whole && parent?.type === 'Property' && !parent.computed && parent.value === node && ancestors[i - 2]?.type === 'ObjectExpression') {
    const obj = ancestors[i - 2] as TSESTree.ObjectExpression;
    const key = nodeName(parent.key);
    if (key) site.group = { range: [obj.range[0], obj.range[1]], name: objectName(ancestors, i - 2), key, companions: companionsOf(obj, node) };
  }
  return site;
}

/** The expression that reads a value at run time, in the literal's place. */
export function jsReplacement(site: JsSite, read: string): string {
  if (site.whole) return site.jsxAttribute ? `{${read}}` : read;
  const esc = (raw: string) => raw.replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  // Inside a quoted string, \' and \" stay valid escapes in a template literal.
  const tpl = site.quote === '`' ? `\`${site.before}\${${read}}${site.after}\`` : `\`${esc(site.before)}\${${read}}${esc(site.after)}\``;
  return site.jsxAttribute ? `{${tpl}}` : tpl;
}
