// TypeScript's syntax tree → the ESTree shapes the AST stage reads. typescript-estree converts
// every node with validation, locations and alias getters, and that costs four times the parse
// itself (2 MB/s on this machine against TypeScript's 10 MB/s). This converts only what runs:
// type annotations, decorators and modifiers are dropped; nodes the analysis never inspects keep
// their type name and their runtime children. Node types, fields and ranges match
// typescript-estree's for everything the stage reads; test/ast/estree.test.ts compares the two
// parsers' findings on every fixture, every sink example and this repository's own sources.
import type * as TS from 'typescript';
import type { TSESTree } from '@typescript-eslint/typescript-estree';

type Any = Record<string, unknown> & { type: string; range: [number, number] };

export function toEstree(ts: typeof TS, sf: TS.SourceFile): TSESTree.Program {
  const K = ts.SyntaxKind;
  const text = sf.text;
  const start = (n: TS.Node) => n.getStart(sf);
  // Fills in the literal it is given (no copy: this runs for every node).
  const node = (n: TS.Node, type: string, fields: Record<string, unknown>): Any => {
    fields.type = type;
    fields.range = [start(n), n.end];
    return fields as Any;
  };
  // ESTree puts `export` / `export default` in a wrapper node: the declaration starts after them.
  const skipTrivia = (ts as unknown as { skipTrivia(text: string, pos: number): number }).skipTrivia;
  const declarationStart = (n: TS.Node): number => {
    const mods = (n as { modifiers?: TS.NodeArray<TS.ModifierLike> }).modifiers;
    let end = -1;
    for (const m of mods ?? []) if (m.kind === K.ExportKeyword || m.kind === K.DefaultKeyword) end = m.end;
    return end === -1 ? start(n) : skipTrivia(text, end);
  };
  const declaration = (n: TS.Node, type: string, fields: Record<string, unknown>): Any => {
    const result = node(n, type, fields);
    result.range[0] = declarationStart(n);
    return result;
  };
  // ESTree's binding identifier (or pattern) spans its `?` and type annotation too.
  const typed = (binding: Any, decl: { type?: TS.TypeNode; questionToken?: TS.QuestionToken }): Any => {
    const end = decl.type?.end ?? decl.questionToken?.end;
    if (end !== undefined) binding.range = [binding.range[0], end];
    return binding;
  };
  const identifier = (n: TS.Identifier | TS.PrivateIdentifier): Any =>
    n.kind === K.PrivateIdentifier ? node(n, 'PrivateIdentifier', { name: n.text.slice(1) }) : node(n, 'Identifier', { name: n.text });
  const list = (nodes: readonly TS.Node[] | undefined) => (nodes ? nodes.map((x) => convert(x)) : []);
  const maybe = (n: TS.Node | undefined) => (n ? convert(n) : null);

  /** A property name: [key, computed]. */
  const key = (n: TS.PropertyName): [Any, boolean] => {
    if (n.kind === K.ComputedPropertyName) return [convert(n.expression), true];
    return [convert(n), false];
  };

  const params = (ps: readonly TS.ParameterDeclaration[]) =>
    ps.map((p) => {
        // A rest parameter's type annotation belongs to the RestElement, which spans it.
        let param: Any = p.dotDotDotToken ? node(p, 'RestElement', { argument: pattern(p.name) }) : typed(pattern(p.name), p);
        if (!p.dotDotDotToken && p.initializer) param = node(p, 'AssignmentPattern', { left: param, right: convert(p.initializer) });
        // `constructor(private readonly x)` declares x the same way.
        if (p.modifiers?.some((m) => m.kind !== K.Decorator)) param = node(p, 'TSParameterProperty', { parameter: param });
        return param;
      });

  const body = (b: TS.ConciseBody | undefined) => (b ? convert(b) : null);

  /** A binding name (declarations, parameters, catch clauses). */
  const pattern = (n: TS.BindingName): Any => {
    if (n.kind === K.Identifier) return identifier(n);
    if (n.kind === K.ObjectBindingPattern) {
      return node(n, 'ObjectPattern', {
        properties: n.elements.map((e) => {
          if (e.dotDotDotToken) return node(e, 'RestElement', { argument: pattern(e.name) });
          const [k, computed] = e.propertyName ? key(e.propertyName) : [pattern(e.name), false];
          let value = pattern(e.name);
          if (e.initializer) value = node(e, 'AssignmentPattern', { left: value, right: convert(e.initializer) });
          return node(e, 'Property', { key: k, value, computed, kind: 'init', method: false, shorthand: !e.propertyName });
        }),
      });
    }
    return node(n, 'ArrayPattern', {
      elements: n.elements.map((e) => {
        if (e.kind === K.OmittedExpression) return null;
        let value = pattern(e.name);
        if (e.dotDotDotToken) return node(e, 'RestElement', { argument: value });
        if (e.initializer) value = node(e, 'AssignmentPattern', { left: value, right: convert(e.initializer) });
        return value;
      }),
    });
  };

  /** The left side of `=` (and of for-in/of): object and array literals there are patterns. */
  const target = (n: TS.Expression): Any => {
    while (n.kind === K.ParenthesizedExpression) n = (n as TS.ParenthesizedExpression).expression;
    if (n.kind === K.ObjectLiteralExpression) {
      return node(n, 'ObjectPattern', {
        properties: (n as TS.ObjectLiteralExpression).properties.map((p) => {
          if (p.kind === K.SpreadAssignment) return node(p, 'RestElement', { argument: target(p.expression) });
          if (p.kind === K.ShorthandPropertyAssignment) {
            let value: Any = identifier(p.name);
            if (p.objectAssignmentInitializer) value = node(p, 'AssignmentPattern', { left: value, right: convert(p.objectAssignmentInitializer) });
            return node(p, 'Property', { key: identifier(p.name), value, computed: false, kind: 'init', method: false, shorthand: true });
          }
          if (p.kind === K.PropertyAssignment) {
            const [k, computed] = key(p.name);
            return node(p, 'Property', { key: k, value: target(p.initializer), computed, kind: 'init', method: false, shorthand: false });
          }
          return member(p, true);
        }),
      });
    }
    if (n.kind === K.ArrayLiteralExpression) {
      return node(n, 'ArrayPattern', {
        elements: (n as TS.ArrayLiteralExpression).elements.map((e) =>
          e.kind === K.OmittedExpression ? null : e.kind === K.SpreadElement ? node(e, 'RestElement', { argument: target((e as TS.SpreadElement).expression) }) : target(e),
        ),
      });
    }
    if (n.kind === K.BinaryExpression && (n as TS.BinaryExpression).operatorToken.kind === K.EqualsToken) {
      return node(n, 'AssignmentPattern', { left: target((n as TS.BinaryExpression).left), right: convert((n as TS.BinaryExpression).right) });
    }
    return convert(n);
  };

  const declarations = (l: TS.VariableDeclarationList, at: TS.Node): Any => {
    const kind = l.flags & ts.NodeFlags.Const ? 'const' : l.flags & ts.NodeFlags.Let ? 'let' : l.flags & ts.NodeFlags.Using ? 'using' : 'var';
    return declaration(at, 'VariableDeclaration', {
      kind,
      declarations: l.declarations.map((d) => node(d, 'VariableDeclarator', { id: typed(pattern(d.name), d), init: maybe(d.initializer) })),
    });
  };

  const fn = (n: TS.FunctionLikeDeclaration, type: string): Any =>
    declaration(n, type, { id: n.name && n.name.kind === K.Identifier ? identifier(n.name) : null, params: params(n.parameters), body: body(n.body) });

  const member = (n: TS.ClassElement | TS.ObjectLiteralElementLike, inObject: boolean): Any | null => {
    switch (n.kind) {
      case K.PropertyDeclaration: {
        const p = n as TS.PropertyDeclaration;
        const [k, computed] = key(p.name);
        return node(n, 'PropertyDefinition', { key: k, computed, value: maybe(p.initializer) });
      }
      case K.MethodDeclaration:
      case K.GetAccessor:
      case K.SetAccessor:
      case K.Constructor: {
        const m = n as TS.MethodDeclaration | TS.AccessorDeclaration | TS.ConstructorDeclaration;
        let k: Any;
        let computed = false;
        if (m.kind === K.Constructor) {
          const mods = m.modifiers;
          const at = mods?.length ? skipTrivia(text, mods[mods.length - 1].end) : start(m);
          k = { type: 'Identifier', name: 'constructor', range: [at, at + 'constructor'.length] };
        } else [k, computed] = key(m.name);
        // ESTree's method value starts at its `<T>(` or `(`.
        const value: Any = { type: 'FunctionExpression', id: null, params: params(m.parameters), body: body(m.body), range: [(m.typeParameters ?? m.parameters).pos - 1, m.end] };
        const kind = m.kind === K.GetAccessor ? 'get' : m.kind === K.SetAccessor ? 'set' : m.kind === K.Constructor ? 'constructor' : 'method';
        if (inObject) return node(n, 'Property', { key: k, value, computed, kind: kind === 'method' ? 'init' : kind, method: kind === 'method', shorthand: false });
        return node(n, 'MethodDefinition', { key: k, value, computed, kind });
      }
      case K.ClassStaticBlockDeclaration:
        return node(n, 'StaticBlock', { body: (n as TS.ClassStaticBlockDeclaration).body.statements.map((x) => convert(x)) });
      case K.PropertyAssignment: {
        const p = n as TS.PropertyAssignment;
        const [k, computed] = key(p.name);
        return node(n, 'Property', { key: k, value: convert(p.initializer), computed, kind: 'init', method: false, shorthand: false });
      }
      case K.ShorthandPropertyAssignment: {
        const p = n as TS.ShorthandPropertyAssignment;
        let value: Any = identifier(p.name);
        if (p.objectAssignmentInitializer) value = node(n, 'AssignmentPattern', { left: value, right: convert(p.objectAssignmentInitializer) });
        return node(n, 'Property', { key: identifier(p.name), value, computed: false, kind: 'init', method: false, shorthand: true });
      }
      case K.SpreadAssignment:
        return node(n, 'SpreadElement', { argument: convert((n as TS.SpreadAssignment).expression) });
      default:
        return null; // index signatures, semicolons
    }
  };

  /** Runtime children of a node no case below handles (types, modifiers and decorators dropped). */
  const generic = (n: TS.Node): Any[] => {
    const out: Any[] = [];
    ts.forEachChild(n, (c) => {
      if (ts.isTypeNode(c) || c.kind === K.Decorator || c.kind === K.TypeParameter || ts.isModifier(c)) return;
      if (c.kind >= K.FirstPunctuation && c.kind <= K.LastPunctuation) return; // `?.`, `=>`, `*`
      out.push(convert(c));
    });
    return out;
  };

  /**
   * The outermost link of an optional chain (a?.b.c) is wrapped in a ChainExpression, as in ESTree.
   * `inChain`: the node is the object or callee of a link of the same chain, which wraps instead.
   */
  const chained = (n: TS.Node, result: Any, inChain: boolean): Any =>
    n.flags & ts.NodeFlags.OptionalChain && !inChain ? node(n, 'ChainExpression', { expression: result }) : result;
  /** The object or callee of a chain link: still inside the chain when the link is. */
  const link = (n: TS.Node, child: TS.Expression) => convert(child, (n.flags & ts.NodeFlags.OptionalChain) !== 0);

  const jsxName = (n: TS.Node): Any => {
    if (n.kind === K.Identifier) return node(n, 'JSXIdentifier', { name: (n as TS.Identifier).text });
    if (n.kind === K.ThisKeyword) return node(n, 'JSXIdentifier', { name: 'this' });
    if (n.kind === K.JsxNamespacedName) {
      const j = n as TS.JsxNamespacedName;
      return node(n, 'JSXNamespacedName', { namespace: jsxName(j.namespace), name: jsxName(j.name) });
    }
    const m = n as TS.PropertyAccessExpression;
    return node(n, 'JSXMemberExpression', { object: jsxName(m.expression), property: jsxName(m.name) });
  };

  const jsxAttributes = (attrs: TS.JsxAttributes) =>
    attrs.properties.map((a) => {
      if (a.kind === K.JsxSpreadAttribute) return node(a, 'JSXSpreadAttribute', { argument: convert(a.expression) });
      const init = a.initializer;
      let value: Any | null = null;
      if (init?.kind === K.JsxExpression) value = node(init, 'JSXExpressionContainer', { expression: init.expression ? convert(init.expression) : node(init, 'JSXEmptyExpression', {}) });
      else if (init) value = convert(init);
      return node(a, 'JSXAttribute', { name: jsxName(a.name), value });
    });

  function convert(n: TS.Node, inChain = false): Any {
    switch (n.kind) {
      case K.Identifier:
      case K.PrivateIdentifier:
        return identifier(n as TS.Identifier);
      case K.StringLiteral:
        return node(n, 'Literal', { value: (n as TS.StringLiteral).text });
      case K.NumericLiteral:
        return node(n, 'Literal', { value: Number((n as TS.NumericLiteral).text) });
      case K.TrueKeyword:
      case K.FalseKeyword:
        return node(n, 'Literal', { value: n.kind === K.TrueKeyword });
      case K.NullKeyword:
        return node(n, 'Literal', { value: null });
      case K.BigIntLiteral:
        return node(n, 'Literal', { value: BigInt((n as TS.BigIntLiteral).text.slice(0, -1)) });
      case K.RegularExpressionLiteral:
        return node(n, 'Literal', { value: null });
      case K.NoSubstitutionTemplateLiteral:
        return node(n, 'TemplateLiteral', { expressions: [] });
      case K.TemplateExpression:
        return node(n, 'TemplateLiteral', { expressions: (n as TS.TemplateExpression).templateSpans.map((s) => convert(s.expression)) });
      case K.ThisKeyword:
        return node(n, 'ThisExpression', {});
      case K.ParenthesizedExpression:
        return convert((n as TS.ParenthesizedExpression).expression); // parentheses end a chain
      case K.BinaryExpression: {
        const b = n as TS.BinaryExpression;
        const op = b.operatorToken.kind;
        const operator = ts.tokenToString(op)!;
        if (op === K.EqualsToken || (op >= K.FirstCompoundAssignment && op <= K.LastCompoundAssignment)) {
          return node(n, 'AssignmentExpression', { operator, left: op === K.EqualsToken ? target(b.left) : convert(b.left), right: convert(b.right) });
        }
        if (op === K.AmpersandAmpersandToken || op === K.BarBarToken || op === K.QuestionQuestionToken) return node(n, 'LogicalExpression', { operator, left: convert(b.left), right: convert(b.right) });
        if (op === K.CommaToken) return node(n, 'SequenceExpression', { expressions: [convert(b.left), convert(b.right)] });
        return node(n, 'BinaryExpression', { operator, left: convert(b.left), right: convert(b.right) });
      }
      case K.MetaProperty: {
        const m = n as TS.MetaProperty;
        const at = start(n);
        const keyword = m.keywordToken === K.ImportKeyword ? 'import' : 'new';
        return node(n, 'MetaProperty', { meta: { type: 'Identifier', name: keyword, range: [at, at + keyword.length] }, property: identifier(m.name) });
      }
      case K.CallExpression: {
        const c = n as TS.CallExpression;
        if (c.expression.kind === K.ImportKeyword) return node(n, 'ImportExpression', { source: convert(c.arguments[0]), options: maybe(c.arguments[1]) });
        return chained(n, node(n, 'CallExpression', { callee: link(n, c.expression), arguments: list(c.arguments), optional: !!c.questionDotToken }), inChain);
      }
      case K.NewExpression: {
        const c = n as TS.NewExpression;
        return node(n, 'NewExpression', { callee: convert(c.expression), arguments: list(c.arguments) });
      }
      case K.PropertyAccessExpression: {
        const m = n as TS.PropertyAccessExpression;
        return chained(n, node(n, 'MemberExpression', { object: link(n, m.expression), property: identifier(m.name), computed: false, optional: !!m.questionDotToken }), inChain);
      }
      case K.ElementAccessExpression: {
        const m = n as TS.ElementAccessExpression;
        return chained(n, node(n, 'MemberExpression', { object: link(n, m.expression), property: convert(m.argumentExpression), computed: true, optional: !!m.questionDotToken }), inChain);
      }
      case K.NonNullExpression:
        return chained(n, node(n, 'TSNonNullExpression', { expression: link(n, (n as TS.NonNullExpression).expression) }), inChain);
      case K.AsExpression:
        return node(n, 'TSAsExpression', { expression: convert((n as TS.AsExpression).expression) });
      case K.SatisfiesExpression:
        return node(n, 'TSSatisfiesExpression', { expression: convert((n as TS.SatisfiesExpression).expression) });
      case K.TypeAssertionExpression:
        return node(n, 'TSTypeAssertion', { expression: convert((n as TS.TypeAssertion).expression) });
      case K.AwaitExpression:
        return node(n, 'AwaitExpression', { argument: convert((n as TS.AwaitExpression).expression) });
      case K.ObjectLiteralExpression:
        return node(n, 'ObjectExpression', { properties: (n as TS.ObjectLiteralExpression).properties.map((p) => member(p, true)).filter(Boolean) });
      case K.ArrayLiteralExpression:
        return node(n, 'ArrayExpression', { elements: (n as TS.ArrayLiteralExpression).elements.map((e) => (e.kind === K.OmittedExpression ? null : convert(e))) });
      case K.SpreadElement:
        return node(n, 'SpreadElement', { argument: convert((n as TS.SpreadElement).expression) });
      case K.FunctionDeclaration:
        // An overload or `declare function` has no body.
        return fn(n as TS.FunctionDeclaration, (n as TS.FunctionDeclaration).body ? 'FunctionDeclaration' : 'TSDeclareFunction');
      case K.FunctionExpression:
        return fn(n as TS.FunctionExpression, 'FunctionExpression');
      case K.ArrowFunction:
        return fn(n as TS.ArrowFunction, 'ArrowFunctionExpression');
      case K.ClassDeclaration:
      case K.ClassExpression: {
        const c = n as TS.ClassLikeDeclaration;
        const heritage = c.heritageClauses?.find((h) => h.token === K.ExtendsKeyword)?.types[0]?.expression;
        return declaration(n, n.kind === K.ClassDeclaration ? 'ClassDeclaration' : 'ClassExpression', {
          id: c.name ? identifier(c.name) : null,
          superClass: maybe(heritage),
          body: node(n, 'ClassBody', { body: c.members.map((m) => member(m, false)).filter(Boolean) }),
        });
      }
      case K.VariableStatement:
        return declarations((n as TS.VariableStatement).declarationList, n);
      case K.VariableDeclarationList:
        return declarations(n as TS.VariableDeclarationList, n);
      case K.Block:
        return node(n, 'BlockStatement', { body: list((n as TS.Block).statements) });
      case K.ForStatement: {
        const f = n as TS.ForStatement;
        return node(n, 'ForStatement', { init: maybe(f.initializer), test: maybe(f.condition), update: maybe(f.incrementor), body: convert(f.statement) });
      }
      case K.ForInStatement:
      case K.ForOfStatement: {
        const f = n as TS.ForInOrOfStatement;
        const left = f.initializer.kind === K.VariableDeclarationList ? convert(f.initializer) : target(f.initializer as TS.Expression);
        return node(n, n.kind === K.ForInStatement ? 'ForInStatement' : 'ForOfStatement', { left, right: convert(f.expression), body: convert(f.statement) });
      }
      case K.SwitchStatement: {
        const s = n as TS.SwitchStatement;
        return node(n, 'SwitchStatement', {
          discriminant: convert(s.expression),
          cases: s.caseBlock.clauses.map((c) => node(c, 'SwitchCase', { test: c.kind === K.CaseClause ? convert(c.expression) : null, consequent: list(c.statements) })),
        });
      }
      case K.TryStatement: {
        const t = n as TS.TryStatement;
        const c = t.catchClause;
        return node(n, 'TryStatement', {
          block: convert(t.tryBlock),
          handler: c ? node(c, 'CatchClause', { param: c.variableDeclaration ? typed(pattern(c.variableDeclaration.name), c.variableDeclaration) : null, body: convert(c.block) }) : null,
          finalizer: maybe(t.finallyBlock),
        });
      }
      case K.ImportDeclaration: {
        const i = n as TS.ImportDeclaration;
        const specifiers: Any[] = [];
        const clause = i.importClause;
        if (clause?.name) specifiers.push(node(clause.name, 'ImportDefaultSpecifier', { local: identifier(clause.name) }));
        const bindings = clause?.namedBindings;
        if (bindings?.kind === K.NamespaceImport) specifiers.push(node(bindings, 'ImportNamespaceSpecifier', { local: identifier(bindings.name) }));
        else if (bindings) for (const e of bindings.elements) specifiers.push(node(e, 'ImportSpecifier', { imported: convert(e.propertyName ?? e.name), local: identifier(e.name) }));
        return node(n, 'ImportDeclaration', { source: convert(i.moduleSpecifier), specifiers });
      }
      case K.JsxElement: {
        const j = n as TS.JsxElement;
        const opening = j.openingElement;
        return node(n, 'JSXElement', {
          openingElement: node(opening, 'JSXOpeningElement', { name: jsxName(opening.tagName), attributes: jsxAttributes(opening.attributes) }),
          children: list(j.children),
          closingElement: node(j.closingElement, 'JSXClosingElement', { name: jsxName(j.closingElement.tagName) }),
        });
      }
      case K.JsxSelfClosingElement: {
        const j = n as TS.JsxSelfClosingElement;
        return node(n, 'JSXElement', { openingElement: node(n, 'JSXOpeningElement', { name: jsxName(j.tagName), attributes: jsxAttributes(j.attributes) }), children: [] });
      }
      case K.JsxExpression: {
        const j = n as TS.JsxExpression;
        return node(n, 'JSXExpressionContainer', { expression: j.expression ? convert(j.expression) : node(n, 'JSXEmptyExpression', {}) });
      }
      case K.ExportSpecifier: {
        const e = n as TS.ExportSpecifier;
        return node(n, 'ExportSpecifier', { local: convert(e.propertyName ?? e.name), exported: convert(e.name) });
      }
      case K.InterfaceDeclaration:
      case K.TypeAliasDeclaration:
        return node(n, 'TSTypeDeclaration', {});
      default:
        return node(n, ts.SyntaxKind[n.kind], { children: generic(n) });
    }
  }

  return { type: 'Program', body: sf.statements.map((x) => convert(x)), sourceType: 'module', range: [0, text.length] } as unknown as TSESTree.Program;
}
