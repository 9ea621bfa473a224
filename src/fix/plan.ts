// Findings → a plan: which secrets go to the store (names, JSON keys, values), which edits
// rewrite the code to read them, and which places the user must change by hand. Pure: texts in,
// data out; nothing here touches the store or the disk.
import { dirname, posix, basename } from 'node:path';
import { redact } from '../detect/redact.js';
import { applyEdits, editsByFile } from './edits.js';
import { isJsPath, isTsPath, jsReplacement, jsSite, tryParseJs, type JsSite } from './js.js';
import { importOsOffset, isPythonPath, pyReplacement, pySite } from './python.js';
import { envComment, envLineAt, isDotenvPath } from './dotenv.js';
import { secretName, upperSnake } from './names.js';
import { helperFile, helperImport, type HelperKind } from './helper.js';
import type { Edit, Finding } from '../types.js';

export type Style = 'env' | 'sdk';

export interface Member {
  /** Environment variable the code reads. */
  env: string;
  /** JSON key inside a grouped secret. */
  key?: string;
  value: string;
  /** A detected credential (companions such as host and user are not). */
  credential: boolean;
  ruleIds: string[];
}

export interface PlannedSecret {
  /** Full Secrets Manager name: <prefix>/<repo>/<NAME>. */
  name: string;
  json: boolean;
  members: Member[];
  /** The SecretString to store. */
  value: string;
  /** Where the credentials were found, `path:line`. */
  foundIn: string[];
}

export interface ManualSite {
  path: string;
  line: number;
  column: number;
  ruleId: string;
  redacted: string;
  reason: string;
  env: string;
  /** The Secrets Manager name the value is (or would be) stored under. */
  secretName: string;
}

export interface RewriteSite {
  path: string;
  line: number;
  env: string;
  secretName: string;
  key?: string;
}

export interface FilePlan {
  path: string;
  before: string | null; // null: the file is created
  after: string;
  rewritten: boolean; // a source file whose secrets were replaced (verified after writing)
}

export interface Plan {
  secrets: PlannedSecret[];
  edits: Edit[];
  files: FilePlan[];
  rewrites: RewriteSite[];
  manual: ManualSite[];
  /** env var → where its value lives. */
  mapping: Record<string, { secretId: string; key?: string }>;
  /** The credential values moved out of each rewritten file (verification looks for them). */
  moved: Map<string, Set<string>>;
}

export interface PlanOptions {
  prefix: string;
  repo: string;
  style: Style;
  /** Files leakfix must not rewrite (symlinks, non-UTF-8), with the reason. */
  manualPaths?: Map<string, string>;
  /** Mapping entries from an earlier fix: their names stay taken. */
  existing: Record<string, { secretId: string; key?: string }>;
}

interface GroupDraft {
  id: string;
  baseName: string;
  json: boolean;
  members: Member[];
  foundIn: Set<string>;
}

interface SiteDraft {
  path: string;
  line: number;
  column: number;
  finding?: Finding;
  /** The group and member key the value belongs to. */
  group: string;
  key: string;
  value: string;
  credential: boolean;
  kind: 'js' | 'py' | 'env' | 'manual';
  js?: JsSite;
  py?: ReturnType<typeof pySite>;
  envLine?: [number, number];
  reason?: string;
  ruleId: string;
  holder?: string;
}

function holderOnLine(text: string, start: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const head = text.slice(lineStart, start);
  return /([A-Za-z_][A-Za-z0-9_.-]*)["'`]?\s*(?:[:=]|=>|:=)\s*["'`]?$/.exec(head)?.[1]?.split('.').pop();
}

function ruleName(ruleId: string): string {
  return upperSnake(ruleId.replace(/^generic\./, ''));
}

export function lineOfOffset(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Builds the plan for the findings of one tree. `texts` holds every finding's file text. */
export function planFix(findings: Finding[], texts: Map<string, string>, options: PlanOptions): Plan {
  const sites: SiteDraft[] = [];
  const groups = new Map<string, GroupDraft>();
  const seenLiteral = new Set<string>();
  const group = (id: string, baseName: string, json: boolean) => {
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { id, baseName, json, members: [], foundIn: new Set() }));
    return g;
  };

  // .env files first: their keys are the names the app already reads.
  const ordered = [...findings].sort((a, b) => Number(isDotenvPath(b.path)) - Number(isDotenvPath(a.path)) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.range[0] - b.range[0]);
  const programs = new Map<string, ReturnType<typeof tryParseJs> | null>();
  for (const f of ordered) {
    const text = texts.get(f.path);
    if (text === undefined || f.origin.kind !== 'file') continue;
    const base: Omit<SiteDraft, 'group' | 'key' | 'value' | 'kind' | 'credential'> = { path: f.path, line: f.line, column: f.column, finding: f, ruleId: f.ruleId };
    const manual = (reason: string, holder?: string) => {
      const name = upperSnake(holder ?? holderOnLine(text, f.range[0])) || ruleName(f.ruleId);
      sites.push({ ...base, group: `single:${f.secret}`, key: name, value: f.secret, credential: true, kind: 'manual', reason });
      group(`single:${f.secret}`, name, false);
    };
    // One move per string literal: a site the rewriter cannot handle, or a literal already
    // claimed by another secret, becomes a manual move. Narrows `site` to its literal form.
    const claimLiteral = <S extends { literal: [number, number] }>(site: S | { manual: string }): site is S => {
      if ('manual' in site) {
        manual(site.manual);
        return false;
      }
      const litKey = `${f.path}:${site.literal[0]}`;
      if (seenLiteral.has(litKey)) {
        manual('another secret in the same string literal is moved');
        return false;
      }
      seenLiteral.add(litKey);
      return true;
    };
    const forced = options.manualPaths?.get(f.path);
    if (forced) {
      manual(forced);
      continue;
    }
    if (f.encoding) {
      manual(`the secret is ${f.encoding}-encoded in the file`);
      continue;
    }
    if (isDotenvPath(f.path)) {
      const line = envLineAt(text, f.range[0]);
      if (!line || line.range[1] < f.range[1]) {
        manual('not a KEY=value line');
        continue;
      }
      const lineKey = `${f.path}:${line.range[0]}`;
      if (seenLiteral.has(lineKey)) continue;
      seenLiteral.add(lineKey);
      const id = `env:${f.path}`;
      const fileBase = basename(f.path).replace(/^\.env\.?/i, '').replace(/\.env$/i, '');
      group(id, upperSnake('DOTENV', fileBase), true);
      sites.push({ ...base, group: id, key: line.key, value: line.value, credential: true, kind: 'env', envLine: line.range });
      continue;
    }
    if (isJsPath(f.path)) {
      if (!programs.has(f.path)) programs.set(f.path, tryParseJs(text, f.path) ?? null);
      const program = programs.get(f.path);
      if (!program) {
        manual('the file does not parse as JavaScript/TypeScript');
        continue;
      }
      const site = jsSite(program, text, f.path, f.range[0], f.range[1]);
      if (!claimLiteral(site)) continue;
      if (site.group) {
        const id = `obj:${f.path}:${site.group.range[0]}`;
        const fileName = basename(f.path).replace(/\.[^.]+$/, '');
        group(id, upperSnake(site.group.name ?? fileName), true);
        sites.push({ ...base, group: id, key: site.group.key, value: site.value, credential: true, kind: 'js', js: site });
        for (const c of site.group.companions) {
          const cKey = `${f.path}:${c.literal[0]}`;
          if (seenLiteral.has(cKey)) continue;
          seenLiteral.add(cKey);
          const cSite: JsSite = { literal: c.literal, quote: text[c.literal[0]], whole: true, value: c.value, before: '', after: '', jsxAttribute: false, awaitAllowed: site.awaitAllowed };
          sites.push({ path: f.path, line: lineOfOffset(text, c.literal[0]), column: 0, group: id, key: c.key, value: c.value, credential: false, kind: 'js', js: cSite, ruleId: 'companion' });
        }
      } else {
        // Part of a longer string (a URL's password): name the part, not the whole.
        const part = site.whole ? undefined : /:$/.test(site.before) && /^@/.test(site.after) ? 'password' : 'secret';
        const name = upperSnake(site.holder, part) || ruleName(f.ruleId);
        group(`single:${site.value}`, name, false);
        sites.push({ ...base, group: `single:${site.value}`, key: name, value: site.value, credential: true, kind: 'js', js: site, holder: site.holder });
      }
      continue;
    }
    if (isPythonPath(f.path)) {
      const site = pySite(text, f.range[0], f.range[1]);
      if (!claimLiteral(site)) continue;
      const name = upperSnake(site.holder) || ruleName(f.ruleId);
      group(`single:${site.value}`, name, false);
      sites.push({ ...base, group: `single:${site.value}`, key: name, value: site.value, credential: true, kind: 'py', py: site });
      continue;
    }
    manual('leakfix rewrites JS/TS, Python and .env files only');
  }

  // Source order: JSON keys, env names and the report follow the file top to bottom.
  const at = (s: SiteDraft) => s.js?.literal[0] ?? s.envLine?.[0] ?? (s.py && 'literal' in s.py ? s.py.literal[0] : undefined) ?? s.finding?.range[0] ?? 0;
  sites.sort((a, b) => Number(isDotenvPath(b.path)) - Number(isDotenvPath(a.path)) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || at(a) - at(b));

  // A config object with a single value to move is not worth a JSON secret.
  for (const g of groups.values()) {
    if (!g.id.startsWith('obj:')) continue;
    const keys = new Set(sites.filter((s) => s.group === g.id).map((s) => s.key));
    if (keys.size < 2) {
      g.json = false;
      const fileName = upperSnake(s0(g.id, sites).path.replace(/^.*\/|\.[^.]+$/g, ''));
      for (const s of sites.filter((s) => s.group === g.id)) s.key = upperSnake(g.baseName === fileName ? undefined : g.baseName, s.key);
      g.baseName = s0(g.id, sites).key;
    }
  }

  // Names: secrets and env vars, first come first served; an earlier fix's names stay taken.
  const takenSecrets = new Set(Object.values(options.existing).map((e) => e.secretId));
  const takenEnv = new Map<string, string>(); // env → value
  const envOfValue = new Map<string, string>();
  const secretOfGroup = new Map<string, PlannedSecret>();
  const mapping: Plan['mapping'] = {};
  const uniqueSecret = (base: string) => {
    let n = 1;
    let name = secretName(options.prefix, options.repo, base || 'SECRET');
    while (takenSecrets.has(name)) name = secretName(options.prefix, options.repo, `${base}_${++n}`);
    takenSecrets.add(name);
    return name;
  };
  const existingEnv = new Set(Object.keys(options.existing));
  const uniqueEnv = (base: string, value: string) => {
    let n = 1;
    let env = base || 'SECRET';
    while ((takenEnv.has(env) && takenEnv.get(env) !== value) || (existingEnv.has(env) && !takenEnv.has(env))) env = `${base}_${++n}`;
    takenEnv.set(env, value);
    return env;
  };

  const resolved: (SiteDraft & { env: string; secretName: string; memberKey?: string })[] = [];
  for (const s of sites) {
    const g = groups.get(s.group)!;
    // Code that repeats a value already moved reads the same variable.
    const known = s.kind !== 'env' && s.credential ? envOfValue.get(s.value) : undefined;
    if (known) {
      const m = mapping[known];
      resolved.push({ ...s, env: known, secretName: m.secretId, memberKey: m.key });
      for (const sec of secretOfGroup.values()) if (sec.name === m.secretId && s.credential) sec.foundIn.push(`${s.path}:${s.line}`);
      continue;
    }
    let planned = secretOfGroup.get(g.id);
    if (!planned) {
      planned = { name: uniqueSecret(g.baseName), json: g.json, members: [], value: '', foundIn: [] };
      secretOfGroup.set(g.id, planned);
    }
    let env: string;
    if (s.kind === 'env') {
      if (takenEnv.has(s.key) && takenEnv.get(s.key) !== s.value) {
        resolved.push({ ...s, kind: 'manual', reason: `${s.key} is set to another value elsewhere`, env: s.key, secretName: planned.name });
        continue;
      }
      env = s.key;
      takenEnv.set(env, s.value);
    } else {
      env = uniqueEnv(g.json ? upperSnake(g.baseName, s.key) : s.key, s.value);
    }
    const key = g.json ? s.key : undefined;
    if (!planned.members.some((m) => m.env === env)) planned.members.push({ env, key, value: s.value, credential: s.credential, ruleIds: [s.ruleId] });
    if (s.credential) planned.foundIn.push(`${s.path}:${s.line}`);
    mapping[env] = key === undefined ? { secretId: planned.name } : { secretId: planned.name, key };
    if (s.credential && !envOfValue.has(s.value)) envOfValue.set(s.value, env);
    resolved.push({ ...s, env, secretName: planned.name, memberKey: key });
  }
  const secrets = [...secretOfGroup.values()].filter((p) => p.members.length > 0);
  for (const p of secrets) {
    p.value = p.json ? JSON.stringify(Object.fromEntries(p.members.map((m) => [m.key!, m.value]))) : p.members[0].value;
  }

  // Edits.
  const edits: Edit[] = [];
  const rewrites: RewriteSite[] = [];
  const manual: ManualSite[] = [];
  const moved = new Map<string, Set<string>>();
  const needsOs = new Set<string>();
  const helperUsers = new Map<HelperKind, string[]>();
  const sdkSites: { s: (typeof resolved)[number]; kind: HelperKind }[] = [];
  for (const s of resolved) {
    if (s.kind === 'manual') {
      if (s.finding) manual.push({ path: s.path, line: s.line, column: s.column, ruleId: s.ruleId, redacted: s.finding.redacted, reason: s.reason ?? '', env: s.env, secretName: s.secretName });
      continue;
    }
    if (s.credential) {
      const set = moved.get(s.path) ?? new Set<string>();
      set.add(s.finding?.secret ?? s.value);
      moved.set(s.path, set);
    }
    rewrites.push({ path: s.path, line: s.line, env: s.env, secretName: s.secretName, key: s.memberKey });
    if (s.kind === 'env') {
      edits.push({ path: s.path, range: s.envLine!, text: envComment({ key: s.key, value: '', range: s.envLine! }, s.secretName) });
    } else if (s.kind === 'py') {
      edits.push({ path: s.path, range: (s.py as { literal: [number, number] }).literal, text: pyReplacement(s.py as Exclude<typeof s.py, { manual: string } | undefined>, s.env) });
      needsOs.add(s.path);
    } else if (s.kind === 'js') {
      const site = s.js!;
      if (options.style === 'sdk' && site.awaitAllowed && isModuleFile(texts.get(s.path)!, s.path)) {
        const kind: HelperKind = isTsPath(s.path) ? 'ts' : 'mjs';
        helperUsers.set(kind, [...(helperUsers.get(kind) ?? []), s.path]);
        sdkSites.push({ s, kind });
        continue;
      }
      const ts = isTsPath(s.path);
      const read = `process.env.${s.env}${ts && site.whole ? '!' : ''}`;
      edits.push({ path: s.path, range: site.literal, text: jsReplacement(site, read) });
    }
  }
  for (const path of needsOs) {
    const at = importOsOffset(texts.get(path)!);
    if (at !== undefined) edits.push({ path, range: [at, at], text: 'import os\n' });
  }

  // The SDK style: one generated helper per language, in the files' common directory.
  const created: FilePlan[] = [];
  const helperDirs = new Map<HelperKind, string>();
  for (const [kind, users] of helperUsers) {
    const dir = commonDir(users.map((p) => posix.dirname(p)));
    helperDirs.set(kind, dir);
    const file = helperFile(kind);
    const path = dir === '.' ? file.name : `${dir}/${file.name}`;
    if (!texts.has(path)) created.push({ path, before: null, after: file.text, rewritten: false });
  }
  const imported = new Set<string>();
  for (const { s, kind } of sdkSites) {
    const dir = helperDirs.get(kind)!;
    const site = s.js!;
    const args = s.memberKey === undefined ? JSON.stringify(s.secretName) : `${JSON.stringify(s.secretName)}, ${JSON.stringify(s.memberKey)}`;
    edits.push({ path: s.path, range: site.literal, text: jsReplacement(site, `(await getSecret(${args}))`) });
    if (!imported.has(s.path)) {
      imported.add(s.path);
      const text = texts.get(s.path)!;
      if (!/\bgetSecret\b.*leakfix-secrets/.test(text)) {
        const at = importOffset(text, s.path);
        edits.push({ path: s.path, range: [at, at], text: helperImport(relativeSpecifier(dirname(s.path), dir, helperFile(kind).importName)) });
      }
    }
  }

  const files: FilePlan[] = [];
  for (const [path, list] of editsByFile(edits)) {
    const before = texts.get(path)!;
    files.push({ path, before, after: applyEdits(before, list), rewritten: true });
  }
  files.push(...created);
  return { secrets, edits, files, rewrites, manual, mapping, moved };
}

const s0 = (group: string, sites: SiteDraft[]): SiteDraft => sites.find((s) => s.group === group)!;

function isModuleFile(text: string, path: string): boolean {
  if (/\.c[jt]s$/i.test(path)) return false;
  if (/\.m[jt]s$/i.test(path)) return true;
  return /^\s*(?:import\s*(?:[\w{*]|["'])|export\s)/m.test(text);
}

/** After the last top-level import line (or any leading shebang and comments). */
function importOffset(text: string, path: string): number {
  const program = tryParseJs(text, path);
  const imports = program?.body.filter((s) => s.type === 'ImportDeclaration') ?? [];
  if (imports.length) {
    const end = imports[imports.length - 1].range[1];
    const nl = text.indexOf('\n', end);
    return nl < 0 ? text.length : nl + 1;
  }
  return text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
}

function commonDir(dirs: string[]): string {
  let parts = dirs[0].split('/');
  for (const d of dirs.slice(1)) {
    const other = d.split('/');
    let i = 0;
    while (i < parts.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/') || '.';
}

function relativeSpecifier(fromDir: string, toDir: string, file: string): string {
  const rel = posix.relative(fromDir === '.' ? '' : fromDir, toDir === '.' ? '' : toDir);
  const spec = rel ? `${rel}/${file}` : file;
  return spec.startsWith('.') ? spec : `./${spec}`;
}

/** Shows enough of a value to recognise it in a plan; companions (hosts, users) are not secret. */
export function shown(m: Member): string {
  return m.credential ? redact(m.value) : m.value;
}
