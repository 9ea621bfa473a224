// The AST stage parses with TypeScript and converts the tree itself (src/detect/ast/estree.ts)
// instead of through typescript-estree, which is four times slower. typescript-estree stays the
// reference: on every sink example, every fixture and this repository's own sources, the nodes
// the analysis reads and the findings must be the same with either tree.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as tseParse, type TSESTree } from '@typescript-eslint/typescript-estree';
import { detectAst } from '../../src/detect/ast/detect.js';
import { parseBlock, scriptBlocks, type ScriptBlock } from '../../src/detect/ast/parse.js';
import { forEachChild, type Node } from '../../src/detect/ast/scope.js';
import { loadSinks } from '../../src/detect/ast/sinks.js';
import { ROOT } from '../helpers/cli.js';

function reference(block: ScriptBlock): TSESTree.Program | undefined {
  try {
    return tseParse(block.code, { range: true, loc: true, jsx: block.jsx, jsDocParsingMode: 'none', filePath: block.ts ? (block.jsx ? 'f.tsx' : 'f.ts') : block.jsx ? 'f.jsx' : 'f.js', loggerFn: false });
  } catch {
    return undefined;
  }
}

// The node types the analysis dispatches on, with the fields it reads.
const READ: Record<string, (n: Record<string, unknown>) => unknown> = {
  Identifier: (n) => n.name,
  PrivateIdentifier: (n) => n.name,
  Literal: (n) => (typeof n.value === 'string' ? n.value : typeof n.value),
  TemplateLiteral: (n) => (n.expressions as unknown[]).length,
  BinaryExpression: (n) => n.operator,
  AssignmentExpression: (n) => n.operator,
  AssignmentPattern: () => '',
  CallExpression: (n) => (n.arguments as unknown[]).length,
  NewExpression: (n) => (n.arguments as unknown[]).length,
  MemberExpression: (n) => n.computed,
  ObjectExpression: (n) => (n.properties as unknown[]).length,
  ArrayExpression: (n) => (n.elements as unknown[]).length,
  SpreadElement: () => '',
  Property: (n) => `${n.kind}/${n.computed}/${n.shorthand}`,
  PropertyDefinition: (n) => n.computed,
  VariableDeclaration: (n) => n.kind,
  VariableDeclarator: () => '',
  FunctionDeclaration: (n) => (n.params as unknown[]).length,
  FunctionExpression: (n) => (n.params as unknown[]).length,
  ArrowFunctionExpression: (n) => (n.params as unknown[]).length,
  ObjectPattern: () => '',
  BlockStatement: () => '',
  ForStatement: () => '',
  ForInStatement: () => '',
  ForOfStatement: () => '',
  SwitchStatement: () => '',
  CatchClause: () => '',
  ImportDeclaration: (n) => (n.specifiers as unknown[]).length,
  ImportSpecifier: () => '',
  ClassDeclaration: () => '',
  JSXAttribute: () => '',
  JSXIdentifier: (n) => n.name,
  JSXExpressionContainer: () => '',
  AwaitExpression: () => '',
  ThisExpression: () => '',
  TSAsExpression: () => '',
  TSNonNullExpression: () => '',
  TSSatisfiesExpression: () => '',
  TSParameterProperty: () => '',
};
// typescript-estree keeps the insides of type-only declarations; the analysis never looks there.
const TYPE_ONLY = new Set(['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'TSDeclareFunction', 'TSAbstractMethodDefinition', 'TSAbstractPropertyDefinition', 'TSIndexSignature', 'TSEmptyBodyFunctionExpression']);

function readNodes(program: TSESTree.Program): string[] {
  const out: string[] = [];
  const visit = (node: Node) => {
    if (TYPE_ONLY.has(node.type) || (node.type === 'Identifier' && node.name === 'this')) return;
    const read = READ[node.type];
    if (read) out.push(`${node.type}@${node.range[0]}-${node.range[1]}:${String(read(node as unknown as Record<string, unknown>))}`);
    forEachChild(node, visit);
  };
  visit(program as Node);
  return out.sort();
}

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(?:[cm]?[jt]sx?|vue|svelte)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const inputs: { name: string; path: string; code: string }[] = [];
for (const sink of loadSinks()) {
  sink.examples.forEach((e, i) => inputs.push({ name: `${sink.id} example ${i + 1}`, path: e.path ?? 'example.ts', code: e.code }));
  sink.negative_examples.forEach((e, i) => inputs.push({ name: `${sink.id} negative ${i + 1}`, path: e.path ?? 'example.ts', code: e.code }));
}
// Constructs the sources above may lack, gathered in one place.
inputs.push({
  name: 'constructs',
  path: 'constructs.tsx',
  code: [
    "import def, { a as b, 'c' as d } from 'm';",
    "import * as ns from 'n';",
    'export default class K<T> extends Base<T> implements I { static x = 1; #p = 2; get g(): number { return 1; } set s(v) {} constructor(private readonly pw: string, ...rest: string[]) { super(); } m<U>(x?: U) {} static { const z = 1; } }',
    'const list = [a?.b, c?.d.e, f?.(g), h!?.i, (j?.k).l, m?.[n]?.o!];',
    'call(p?.q, r?.s?.t(), ...u?.v);',
    '({ w, x: { y = 1 }, ...z } = obj); [aa, , bb = 2, ...cc] = arr;',
    'for (const [k1, v1] of entries) {} for (key in object) {} for (let i = 0, j = 1; i < j; i++) {}',
    'label: while (true) { try { break label; } catch { } finally { } }',
    'switch (v) { case 1: { let scoped = 2; } default: }',
    'const meta = import.meta.url; const lazy = await import("./x.js");',
    "const tpl = `a${b}c${d}`; const raw = String.raw`x`; const neg = -1n; const re = /x/g;",
    'enum E { A = "a", B } namespace Ns { export const inner = 1; } declare function decl(x: string): void;',
    'export { b as renamed, ns }; export * from "o"; export const exported = { async *gen() {}, [computed]: 1, "quoted": 2, 3: 4 };',
    'const el = <Form onSubmit={(e) => e.preventDefault()} {...props}><input type="password" value={pw} /><Ns.Item a:b="c">text {x}</Ns.Item></Form>;',
    'function f(this: Window, { p1, p2: [p3] }: Opts = {}, p4 = p1 ?? "x") { return p4 satisfies string; }',
    'let typed = value as unknown as string; let assigned!: number; assigned ||= 1;',
  ].join('\n'),
});
for (const file of [...sourcesUnder(join(ROOT, 'fixtures')), ...sourcesUnder(join(ROOT, 'src')), ...sourcesUnder(join(ROOT, 'test'))]) {
  inputs.push({ name: relative(ROOT, file), path: relative(ROOT, file), code: readFileSync(file, 'utf8') });
}

describe('our ESTree conversion against typescript-estree', () => {
  it('covers enough code to mean something', () => {
    expect(inputs.length).toBeGreaterThan(250);
    expect(inputs.reduce((n, i) => n + i.code.length, 0)).toBeGreaterThan(600_000);
  });

  it('parses every construct sample (a failure in both parsers would hide a difference)', () => {
    const constructs = inputs.find((i) => i.name === 'constructs')!;
    const [block] = scriptBlocks(constructs.code, constructs.path);
    expect(parseBlock(block)).toBeDefined();
    expect(reference(block)).toBeDefined();
  });

  it('gives the analysis the same nodes (type, range, the fields it reads) on every input', () => {
    let nodes = 0;
    for (const input of inputs) {
      for (const block of scriptBlocks(input.code, input.path)) {
        const ours = parseBlock(block);
        const theirs = reference(block);
        expect(ours === undefined, `${input.name}: parse failure differs`).toBe(theirs === undefined);
        if (!ours || !theirs) continue;
        const a = readNodes(ours);
        const b = readNodes(theirs);
        if (a.join('\n') !== b.join('\n')) {
          const count = (l: string[]) => l.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
          const ours = count(a);
          const theirs = count(b);
          const differ = [...new Set([...a, ...b])].filter((x) => ours.get(x) !== theirs.get(x)).map((x) => `${x}: ours ${ours.get(x) ?? 0}, typescript-estree ${theirs.get(x) ?? 0}`);
          expect(differ.slice(0, 6), input.name).toEqual([]);
        }
        nodes += a.length;
      }
    }
    expect(nodes).toBeGreaterThan(100_000);
  });

  it('gives the same findings, spans and flows on every input', () => {
    let found = 0;
    for (const input of inputs) {
      const ours = detectAst(input.code, input.path, { gate: false });
      const theirs = detectAst(input.code, input.path, { gate: false, parse: reference });
      expect(ours, input.name).toEqual(theirs);
      found += ours.length;
    }
    expect(found).toBeGreaterThan(50);
  });
});
