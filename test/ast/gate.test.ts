// The pre-parse gate decides which JS/TS files are parsed. Its one duty: no finding the analysis
// would make (run without the gate) may be lost by a scan (run with it). Checked on the sink
// examples, fixtures, generated call programs and, when generated, the bench corpus. Its other
// duty, skipping what cannot yield anything (clients configured from the environment), is checked
// too, and it never parses what the whole-text gate it grew out of (gate-reference.ts) skipped on
// generated snippets.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_WORDS, worthParsing } from '../../src/detect/ast/gate.js';
import { loadSinks } from '../../src/detect/ast/sinks.js';
import { isAstPath } from '../../src/detect/ast/parse.js';
import { referenceWorthParsing } from './gate-reference.js';
import { detectAst } from '../../src/detect/ast/detect.js';
import { createEngine, detectChunk, gateWordHits } from '../../src/detect/engine.js';
import { loadRules } from '../../src/rules/load.js';

const sinks = loadSinks();

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

interface Source {
  code: string;
  path: string;
}

const engine = createEngine(loadRules());

/** Sources where the analysis (no gate) finds a secret that a scan (with the gate) does not report. */
function lost(sources: Source[]): string[] {
  const out: string[] = [];
  for (const { code, path } of sources) {
    const hits = detectAst(code, path, { gate: false });
    if (hits.length === 0) continue;
    const reported = detectChunk(engine, { path, text: code, origin: { kind: 'file' } });
    for (const h of hits) {
      if (reported.some((f) => f.range[0] === h.start && f.range[1] === h.end) || reported.some((f) => f.secret === h.secret)) continue;
      out.push(`${h.sinkId} ${JSON.stringify(h.secret)} in ${code.length > 300 ? `${path} (${code.length} chars)` : code}`);
    }
  }
  return out;
}

/** Texts the gate parses although the whole-text gate it grew out of skipped them. */
function beyondReference(texts: string[]): string[] {
  return texts.filter((t) => (worthParsing(t, sinks) || worthParsing(t, sinks, Buffer.from(t, 'utf8'))) && !referenceWorthParsing(t, sinks)).map((t) => (t.length > 200 ? `${t.slice(0, 200)}…` : t));
}

// A small deterministic generator of code-shaped text around the gate's words.
function snippets(count: number, seed: number): string[] {
  let state = seed;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)];
  const sinkWords = sinks.flatMap((s) => s.keywords ?? []).map((w) => w.replace(/^["']|["']$/g, ''));
  const caseMix = (w: string) => [...w].map((c) => (rand(3) === 0 ? c.toUpperCase() : c)).join('');
  const pieces = [
    () => caseMix(pick(CREDENTIAL_WORDS)),
    () => caseMix(pick(sinkWords)),
    () => pick(['db', 'Pass', 'passw', 'api', 'Key', 'ur', 'conn', 'mongo', 'auth', 'x', 'my', 'é', 'İ', '\u212a', 'ſecret', '$', '_']),
    () => pick([' = ', ': ', '=', ' == ', ' => ', '"', "'", '`', '[', ']', '(', ')', '.', ',', ';', '\n', ' ', '\t', ' + ', '-', '{', '}']),
    () => pick(["'Summer2024!'", '"hunter22"', '`abc`', 'value', 'cfg.db.pw', 'process.env.X', 'Buffer.from(', '[1]', 'other', 'fn(', "require('pg')"]),
  ];
  return Array.from({ length: count }, () => Array.from({ length: 4 + rand(24) }, () => pick(pieces)()).join(''));
}

// Call programs: every call sink, named as written, through an import, an aliased import, a
// require or a destructured require, with its secret argument given as a literal, a constant, an
// alias chain, a config member, a parameter a local call feeds, a concatenation, Buffer.from … or
// read from the environment; other arguments are fillers, some holding literals of their own.
function callPrograms(seed: number): { source: Source; envOnly: boolean }[] {
  let state = seed;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((state / 2 ** 31) * n); // high bits: the low ones of this LCG cycle fast
  };
  const pick = <T>(xs: readonly T[]) => xs[rand(xs.length)];
  const out: { source: Source; envOnly: boolean }[] = [];
  const secret = 'Summer2024-local!';
  const values: { decl: string; expr: string; env?: boolean }[] = [
    { decl: '', expr: `'${secret}'` },
    { decl: `const K = '${secret}';`, expr: 'K' },
    { decl: `const a = '${secret}';\nconst b = a;`, expr: 'b' },
    { decl: `const cfg = { db: { pw: '${secret}' } };`, expr: 'cfg.db.pw' },
    { decl: `const cfg = { pw: '${secret}' };\nconst k = cfg.pw;`, expr: 'k' },
    { decl: `const parts = ['Summer', '2024-local!'];`, expr: "parts.join('')" },
    { decl: '', expr: `'Summer' + '2024-local!'` },
    { decl: `const raw = Buffer.from('${secret}', 'utf8');`, expr: 'raw' },
    { decl: '', expr: 'process.env.SERVICE_SECRET', env: true },
    { decl: '', expr: 'process.env["SERVICE_SECRET"]', env: true },
    { decl: 'const k = process.env.SERVICE_SECRET;', expr: 'k', env: true },
    { decl: '', expr: 'config.get("service.secret")' },
  ];
  const fillers = ['claims', '{ expiresIn: \'1h\' }', 'undefined', '6379', "'cache.internal'", '{ region: process.env.AWS_REGION }', 'cb'];
  const callSinks = sinks.filter((s) => s.kind === 'call');
  for (const sink of callSinks) {
    const modules = (sink.keywords ?? []).map((k) => k.replace(/^["']|["']$/g, '')).filter((k) => /^[a-z][\w-]*$/.test(k));
    for (const pattern of sink.callee!.filter((c) => /^[\w$.*]+$/.test(c))) {
      for (const arg of sink.args!) {
        for (let round = 0; round < 3; round++) {
          const value = pick(values);
          const callee = pattern.replace(/^\*\./, 'client.').replace(/\*/g, 'Google');
          const mod = pick(modules.length ? modules : ['some-sdk']);
          const dot = callee.lastIndexOf('.');
          const last = callee.slice(dot + 1);
          const forms: { head: string; call: string }[] = [{ head: '', call: callee }];
          if (dot < 0) {
            forms.push({ head: `import { ${callee} as Local } from '${mod}';`, call: 'Local' });
            forms.push({ head: `const { ${callee}: Local } = require('${mod}');`, call: 'Local' });
            forms.push({ head: `import Local from '${callee}';`, call: 'Local' });
          } else if (/^[a-z][\w-]*\./.test(callee)) {
            // A module root (jsonwebtoken.sign), not a global (AWS.config.update).
            const root = callee.slice(0, callee.indexOf('.'));
            const rest = callee.slice(callee.indexOf('.'));
            forms.push({ head: `import lib from '${root}';`, call: `lib${rest}` });
            forms.push({ head: `const lib = require('${root}');`, call: `lib${rest}` });
            forms.push({ head: `import * as ns from '${root}';`, call: `ns${rest}` });
            if (rest.split('.').length === 2) forms.push({ head: `import { ${last} as fn } from '${root}';`, call: 'fn' });
          }
          const form = pick(forms);
          const viaParam = rand(4) === 0;
          const nested = (path: string | undefined, v: string) => (path ? path.split('.').reduceRight((inner, key) => `{ ${key}: ${inner} }`, v) : v);
          const valueFor = (v: string) => (arg.value === 'uri' ? (v.startsWith("'") ? `'postgres://app:${secret}@db/app'` : v) : arg.value === 'header' && v.startsWith("'") ? `'Bearer ${secret}'` : v);
          const args: string[] = [];
          for (let i = 0; i <= arg.at; i++) args.push(i === arg.at ? nested(arg.path, viaParam ? 'pw' : valueFor(value.expr)) : arg.when && i === arg.when.at ? `'${arg.when.equals}'` : pick(fillers));
          if (rand(2)) args.push(pick(fillers));
          const newKw = /(?:^|\.)[A-Z]\w*$/.test(form.call) ? 'new ' : '';
          const callText = `${newKw}${form.call}(${args.join(', ')})`;
          const code = viaParam
            ? [form.head, value.decl, `function connect(pw) {\n  return ${callText};\n}`, `export const c = connect(${valueFor(value.expr)});`].join('\n')
            : [form.head, value.decl, `export const c = ${callText};`].join('\n');
          // sinks.yaml's contract: a sink with keywords matters only where one of them occurs.
          if (sink.keywords?.length && !sink.keywords.some((k) => code.toLowerCase().includes(k.replace(/^["']|["']$/g, '')))) continue;
          out.push({ source: { code, path: rand(2) ? 'src/client.ts' : 'src/client.js' }, envOnly: !!value.env && !viaParam && !args.some((a) => /'/.test(a)) });
        }
      }
    }
  }
  return out;
}

describe('AST pre-parse gate', () => {
  it('has exactly the credential words of the regex it replaced, none a prefix of another', () => {
    const regex = /pass|pwd|secret|token|auth|bearer|credential|(?:api|access|private|signing|master|hmac|encryption|app|license|client|consumer|subscription|jwt)[-_]?key|conn(?:ection)?[-_]?string|(?:database|db|mongo(?:db)?|redis|postgres|mysql)[-_]?ur[il]/iy;
    for (const w of CREDENTIAL_WORDS) {
      regex.lastIndex = 0;
      expect(regex.exec(w)?.[0]).toBe(w);
      expect(CREDENTIAL_WORDS.filter((o) => o !== w && o.startsWith(w))).toEqual([]);
    }
    expect(CREDENTIAL_WORDS.length).toBe(7 + 13 * 3 + 2 * 3 + 7 * 3 * 2);
  });

  it('decides known cases', () => {
    const cases: [string, boolean][] = [
      ["const s = stripe('sk');", true],
      ['client.auth(user, pw);', false],
      ["request.get('/api').auth('svc', 'Summer2024!');", true],
      ['const stripeSecretKey = process.env.STRIPE;', false],
      ["const pw = 'Summer2024!';\nconst opts = { password: pw };", true],
      ['const opts = { password: pw };', false],
      ["const é = 1;\nconst pw = 'Summer2024!';\nconst opts = { PASSWORD: pw };", true],
      ['const token = req.headers.token;', false],
      ['', false],
      // Clients configured from the environment: nothing a parse could find.
      ["import jwt from 'jsonwebtoken';", false],
      ["import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });", false],
      ["import jwt from 'jsonwebtoken';\nexport const sign = (c: object) => jwt.sign(c, process.env.JWT_SECRET, { expiresIn: '1h' });", false],
      ["import Stripe from 'stripe';\nexport const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);", false],
      ["const Stripe = require('stripe');\nconst stripe = Stripe(process.env.STRIPE_KEY);\nawait stripe.charges.create({ amount: 100, currency: 'eur' });", false],
      ['function upgradeSchema(db) { return db; }\nupgradeSchema(pgClient);', false],
      // A literal or a name bound to one at a sink position, however the callee is named.
      ["import { Pool } from 'pg';\nconst pool = new Pool({ host: 'db', password: 'Summer2024!' });", true],
      ["const a = 'Summer2024!';\nconst b = a;\nexport const login = { password: b };", true],
      ["import { Pool as P } from 'pg';\nconst x = 'Summer2024!';\nconst y = x;\nnew P({ password: y });", true],
      ["import { sign as s } from 'jsonwebtoken';\nexport const f = (c) => s(c, 'abc-secret');", true],
      ["const { sign } = require('jsonwebtoken');\nconst cfg = { jwt: { key: 'abc-secret' } };\nsign(claims, cfg.jwt.key);", true],
      ["const client = require('twilio')('AC123', 'tok-123456');", true],
      ["import jwt from 'jsonwebtoken';\nexport const s = (c, key) => jwt.sign(c, key);", true], // a parameter: a local call may pass a literal
      ["const k = import('jsonwebtoken');", true], // dynamic import: not followed lexically
      ["res.set('Authorization', header);", true],
    ];
    const wrong = cases.filter(([code, want]) => worthParsing(code, sinks) !== want || worthParsing(code, sinks, Buffer.from(code, 'utf8')) !== want);
    expect(wrong).toEqual([]);
  });

  it('loses no finding on the sink examples and the ESLint-style family cases', () => {
    const sources = sinks.flatMap((s) => [...s.examples, ...s.negative_examples].map((e) => ({ code: e.code, path: e.path ?? 'example.ts' })));
    expect(sources.length).toBeGreaterThan(50);
    expect(lost(sources)).toEqual([]);
  });

  it('loses no finding on the fixture trees', () => {
    const sources = filesUnder('fixtures').filter(isAstPath).map((p) => ({ code: readFileSync(p, 'utf8'), path: p }));
    expect(sources.length).toBeGreaterThan(5);
    expect(lost(sources)).toEqual([]);
  });

  it('loses no finding on generated call programs, and skips those configured from the environment', () => {
    const programs = callPrograms(11);
    const withHits = programs.filter((p) => detectAst(p.source.code, p.source.path, { gate: false }).length > 0);
    expect(withHits.length).toBeGreaterThan(150); // the generator does produce findings
    expect(lost(programs.map((p) => p.source))).toEqual([]);
    const env = programs.filter((p) => p.envOnly);
    expect(env.length).toBeGreaterThan(50);
    const parsed = env.filter((p) => worthParsing(p.source.code, sinks));
    expect(parsed.length / env.length).toBeLessThan(0.1);
  });

  it('never parses a generated snippet the whole-text gate skipped', () => {
    const texts = snippets(20_000, 7);
    const worth = texts.filter((t) => worthParsing(t, sinks)).length;
    expect(worth).toBeGreaterThan(300); // both answers are well represented
    expect(worth).toBeLessThan(texts.length - 500);
    expect(beyondReference(texts)).toEqual([]);
  });

  it("decides the same on the words the engine's prefilter found as on its own pass", () => {
    // A scan hands the gate the words of the engine's pass (trackedAst bit 4), in byte offsets
    // mapped to the text's; the gate's own pass is the reference.
    const texts = [
      ...snippets(4_000, 23),
      ...callPrograms(5).map((p) => p.source.code),
      ...sinks.flatMap((s) => [...s.examples, ...s.negative_examples].map((e) => e.code)),
      ...filesUnder('fixtures').filter(isAstPath).map((p) => readFileSync(p, 'utf8')),
      ...filesUnder('src').filter(isAstPath).map((p) => readFileSync(p, 'utf8')),
    ];
    let worth = 0;
    let nonAscii = 0;
    for (const text of texts) {
      const bytes = Buffer.from(text, 'utf8');
      const found = { ends: [] as number[], ids: [] as number[] };
      engine.prefilter.scan(bytes, engine.trackedAst, [{ ends: [] }, { ends: [], ids: [] }, found]);
      const words = gateWordHits(engine, bytes, bytes.length === text.length, found)!;
      const own = worthParsing(text, sinks);
      expect(worthParsing(text, sinks, bytes, [], words), text.slice(0, 300)).toBe(own);
      if (own) worth++;
      if (bytes.length !== text.length) nonAscii++;
    }
    expect(worth).toBeGreaterThan(300);
    expect(texts.length - worth).toBeGreaterThan(300);
    expect(nonAscii).toBeGreaterThan(100);
  });

  const corpus = ['bench/.corpus/full/tree', 'bench/.corpus/quick/tree'].find((d) => existsSync(d));
  it.skipIf(!corpus)('loses no finding on the bench corpus, and parses only files with something to find', () => {
    const sources = filesUnder(corpus!).filter(isAstPath).map((p) => ({ code: readFileSync(p, 'utf8'), path: p })).filter((s) => s.code.length <= 512 * 1024);
    expect(lost(sources)).toEqual([]);
    // Which files a scan parses: the engine's own decision (pattern-covered literals excluded).
    const deferring = createEngine(loadRules(), { astDefer: true });
    const parsed = sources.filter((s) => {
      deferring.astWanted = false;
      detectChunk(deferring, { path: s.path, text: s.code, origin: { kind: 'file' } });
      return deferring.astWanted;
    });
    const useful = parsed.filter((s) => detectAst(s.code, s.path, { gate: false }).length > 0);
    expect(parsed.length).toBeLessThanOrEqual(useful.length + 5);
  });
});
