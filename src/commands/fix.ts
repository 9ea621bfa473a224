// `leakfix fix`: scan → plan → (dry run: print) → check the store → journal → store every secret
// → write files atomically → verify → done; any failure after the first write restores every file.
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { decodeText } from '../detect/engine.js';
import { redact } from '../detect/redact.js';
import { runScan, type ScanFlags } from './scan.js';
import { planFix, shown, type FilePlan, type ManualSite, type Plan, type Style } from '../fix/plan.js';
import { checkPrefix, parseTags, repoSegment, sha256, tagValue } from '../fix/names.js';
import { checkSecrets, connectStore, hasAwsConfig, writeSecrets, type StoreConnection, type StoreKind } from '../fix/store.js';
import { commitsWith, dirtyPaths, repoOf, stage, stagedPaths } from '../fix/git.js';
import { incomplete, journalPath, readJournal, restoreFiles, writeJournal, type Journal } from '../fix/journal.js';
import { MAPPING_PATH, mappingText, readMapping, type Mapping } from '../fix/mapping.js';
import { unifiedDiff } from '../fix/diff.js';
import { checkWritten, rescanProblems } from '../fix/verify.js';
import type { IO } from '../io.js';
import type { Finding } from '../types.js';

export interface FixFlags {
  path: string;
  dryRun: boolean;
  store?: string;
  region?: string;
  kmsKeyId?: string;
  prefix: string;
  tags: string[];
  replicaRegions: string[];
  style: string;
  updateExisting: boolean;
  allowDirty: boolean;
  staged: boolean;
  undo: boolean;
  showSecrets: boolean;
}

/** argv after `fix` → flags; `help` when asked for. */
export function parseFixArgs(argv: string[]): { help: boolean; flags: FixFlags } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        store: { type: 'string' },
        region: { type: 'string' },
        'kms-key-id': { type: 'string' },
        prefix: { type: 'string', default: 'leakfix' },
        tag: { type: 'string', multiple: true },
        'replica-region': { type: 'string', multiple: true },
        style: { type: 'string', default: 'env' },
        'update-existing': { type: 'boolean', default: false },
        'allow-dirty': { type: 'boolean', default: false },
        staged: { type: 'boolean', default: false },
        undo: { type: 'boolean', default: false },
        'show-secrets': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UserError(`${(err as Error).message.split('\n')[0]} (see leakfix --help)`);
  }
  const v = parsed.values;
  if (parsed.positionals.length > 1) throw new UserError('leakfix fix takes one path');
  return {
    help: v.help ?? false,
    flags: {
      path: parsed.positionals[0] ?? '.',
      dryRun: v['dry-run'] ?? false,
      store: v.store,
      region: v.region,
      kmsKeyId: v['kms-key-id'],
      prefix: v.prefix ?? 'leakfix',
      tags: v.tag ?? [],
      replicaRegions: v['replica-region'] ?? [],
      style: v.style ?? 'env',
      updateExisting: v['update-existing'] ?? false,
      allowDirty: v['allow-dirty'] ?? false,
      staged: v.staged ?? false,
      undo: v.undo ?? false,
      showSecrets: v['show-secrets'] ?? false,
    },
  };
}

export interface FixHooks {
  /** Called after each step (journal, store, write:N, written, verified); tests crash here. */
  afterStep?: (step: string) => void;
}

interface Target {
  root: string;
  gitDir?: string;
  /** Scan path relative to root. */
  scanPath: string;
}

async function target(flags: FixFlags, io: IO): Promise<Target> {
  const abs = resolve(io.cwd, flags.path);
  if (!existsSync(abs)) throw new UserError(`path not found: ${flags.path}`);
  const dir = statSync(abs).isDirectory() ? abs : dirname(abs);
  const repo = await repoOf(dir);
  const root = repo?.top ?? dir;
  const rel = relative(root, abs).split(sep).join('/');
  return { root, gitDir: repo?.gitDir, scanPath: rel || '.' };
}

function scanFlags(paths: string[]): ScanFlags {
  return { paths, format: 'json', showSecrets: false, noIgnore: false, include: [], exclude: [], quiet: true };
}

async function findingsOf(t: Target, paths: string[], io: IO): Promise<Finding[]> {
  const { result } = await runScan(scanFlags(paths), { ...io, cwd: t.root });
  // fix's own outputs name secrets but hold none.
  return result.findings.filter((f) => f.origin.kind === 'file' && f.path !== MAPPING_PATH && !/(?:^|\/)leakfix-secrets\.(?:ts|mjs)$/.test(f.path));
}

function storeKind(flags: FixFlags, io: IO): StoreKind {
  if (flags.store === undefined) {
    if (hasAwsConfig(io.env)) return 'aws';
    return 'local';
  }
  if (flags.store !== 'local' && flags.store !== 'aws') throw new UserError(`--store ${flags.store}: use local or aws`);
  return flags.store;
}

export async function fixCommand(flags: FixFlags, io: IO, hooks: FixHooks = {}): Promise<number> {
  const step = hooks.afterStep ?? (() => {});
  const t = await target(flags, io);
  const jpath = journalPath(t.root, t.gitDir, io.env);
  if (flags.undo) return undo(jpath, io);
  if (flags.style !== 'env' && flags.style !== 'sdk') throw new UserError(`--style ${flags.style}: use env or sdk`);
  const prefix = checkPrefix(flags.prefix);
  const userTags = parseTags(flags.tags);
  const kind = storeKind(flags, io);
  if (kind === 'local' && flags.replicaRegions.length) throw new UserError('--replica-region needs --store aws (the local store has one region)');

  // A fix that was killed half-way is rolled back first; the re-run then does it again whole.
  const previous = readJournal(jpath);
  if (previous && incomplete(previous)) {
    if (flags.dryRun) io.stderr('leakfix: warning: an interrupted fix left files half-written; run leakfix fix --undo or leakfix fix to recover\n');
    else {
      const restored = restoreFiles(previous);
      writeJournal(jpath, { ...previous, state: 'rolled-back' });
      io.stderr(`leakfix: recovered an interrupted fix: restored ${restored.length} file(s)\n`);
    }
  }

  let paths = [t.scanPath];
  if (flags.staged) {
    if (!t.gitDir) throw new UserError('--staged needs a git repository');
    const under = t.scanPath === '.' ? '' : `${t.scanPath}/`;
    paths = (await stagedPaths(t.root)).filter((p) => p.startsWith(under) || p === t.scanPath);
    if (paths.length === 0) {
      io.stdout('leakfix fix: nothing staged\n');
      return 0;
    }
  }
  const findings = await findingsOf(t, paths, io);
  if (findings.length === 0) {
    io.stdout('leakfix fix: no secrets found, nothing to do\n');
    return 0;
  }
  const texts = new Map<string, string>();
  const manualPaths = new Map<string, string>();
  for (const f of findings) {
    if (texts.has(f.path)) continue;
    const abs = join(t.root, f.path);
    const bytes = readFileSync(abs);
    const text = decodeText(bytes);
    texts.set(f.path, text);
    // Writing back must give the same bytes everywhere but the edits.
    if (lstatSync(abs).isSymbolicLink()) manualPaths.set(f.path, 'a symbolic link');
    else if (!Buffer.from(text, 'utf8').equals(bytes)) manualPaths.set(f.path, 'not UTF-8 text');
  }

  const mappingFile = join(t.root, MAPPING_PATH);
  const oldMapping = readMapping(mappingFile);
  if (oldMapping && oldMapping.store !== kind && flags.store !== undefined) {
    throw new UserError(`${MAPPING_PATH} records store ${oldMapping.store}; mixing stores in one project is not supported`);
  }
  const plan = planFix(findings, texts, { prefix, repo: repoSegment(t.root), style: flags.style as Style, existing: oldMapping?.env ?? {}, manualPaths });
  if (plan.secrets.length === 0) {
    io.stdout('leakfix fix: nothing leakfix can move (see the scan report)\n');
    return 1;
  }
  const usesSdk = plan.files.some((f) => f.before === null && /leakfix-secrets\./.test(f.path));
  const region = kind === 'local' ? (flags.region ?? io.env.LEAKFIX_STORE_REGION ?? 'us-east-1') : flags.region;

  // Refuse to touch files whose uncommitted changes the fix would mix with its own.
  const touched = [...plan.files.map((f) => f.path), MAPPING_PATH];
  if (!flags.allowDirty) {
    if (!t.gitDir) throw new UserError(`${t.root} is not in a git repository, so its files cannot be checked for uncommitted changes (use --allow-dirty)`);
    const dirty = await dirtyPaths(t.root, touched.filter((p) => existsSync(join(t.root, p))), flags.staged);
    if (dirty.size) throw new UserError(`uncommitted changes in ${[...dirty].sort().join(', ')}: commit or stash them first (or use --allow-dirty)`);
  }

  // Exposure: a value in any commit stays leaked after the move.
  const credentials = plan.secrets.flatMap((s) => s.members.filter((m) => m.credential).map((m) => m.value));
  const exposure = t.gitDir ? await commitsWith(t.root, credentials) : new Map<string, string[]>();

  const mappingPlan = (storeRegion: string): FilePlan => {
    const mapping: Mapping = { version: 1, store: kind, region: storeRegion, ...(usesSdk || oldMapping?.sdk ? { sdk: true } : {}), env: { ...(oldMapping?.env ?? {}), ...plan.mapping } };
    return { path: MAPPING_PATH, before: existsSync(mappingFile) ? readFileSync(mappingFile, 'utf8') : null, after: mappingText(mapping), rewritten: false };
  };
  if (flags.dryRun) {
    const shownRegion = region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? '';
    io.stdout(renderPlan({ ...plan, files: [...plan.files, mappingPlan(shownRegion)] }, flags, exposure, kind));
    return 0;
  }

  let conn: StoreConnection;
  try {
    conn = await connectStore(kind, { region, env: io.env });
  } catch (e) {
    throw e instanceof UserError ? e : new UserError((e as Error).message);
  }
  if (flags.store === undefined) io.stderr(`leakfix: storing secrets in ${conn.where}${kind === 'local' ? ' (no AWS configuration found; --store aws to use AWS)' : ''}\n`);
  try {
    const checked = await checkSecrets(conn, plan.secrets);
    const conflicts = checked.filter((c) => c.action === 'update');
    if (conflicts.length && !flags.updateExisting) {
      throw new UserError(
        `${conflicts.map((c) => c.secret.name + (c.conflict?.length ? ` (keys ${c.conflict.join(', ')})` : '')).join(', ')} already exist(s) in ${conn.where} with a different value; nothing was changed (use --update-existing to write a new version)`,
      );
    }
    const files: FilePlan[] = [...plan.files, mappingPlan(conn.region)];

    // The journal is on disk before anything changes.
    const journal: Journal = {
      version: 1,
      root: t.root,
      state: 'prepared',
      startedAt: new Date().toISOString(),
      secrets: plan.secrets.map((s) => s.name),
      files: files.map((f) => ({
        path: f.path,
        before: f.before === null ? null : Buffer.from(readFileSync(join(t.root, f.path))).toString('base64'),
        beforeHash: f.before === null ? null : sha256(readFileSync(join(t.root, f.path))),
        afterHash: sha256(Buffer.from(f.after, 'utf8')),
      })),
    };
    writeJournal(jpath, journal);
    step('journal');

    const repo = repoSegment(t.root);
    const stored = await writeSecrets(conn, checked, {
      description: `Moved out of ${repo} by leakfix fix`,
      kmsKeyId: flags.kmsKeyId,
      replicaRegions: flags.replicaRegions,
      tags: (s) => {
        const exposed = s.members.some((m) => m.credential && (exposure.get(m.value)?.length ?? 0) > 0);
        return [
          { Key: 'managed-by', Value: 'leakfix' },
          { Key: 'found-in', Value: tagValue(`${repo}: ${[...new Set(s.foundIn)].join(', ')}`) },
          { Key: 'exposed', Value: exposed ? 'true' : 'false' },
          ...userTags,
        ];
      },
    });
    writeJournal(jpath, { ...journal, state: 'stored' });
    step('store');

    writeJournal(jpath, { ...journal, state: 'writing' });
    try {
      files.forEach((f, i) => {
        const abs = join(t.root, f.path);
        mkdirSync(dirname(abs), { recursive: true });
        writeFileAtomic(abs, f.after);
        step(`write:${i + 1}`);
      });
      step('written');
      const problems = checkWritten(files.filter((f) => f.rewritten).map((f) => ({ path: f.path, text: f.after })), plan.moved);
      if (problems.length === 0) problems.push(...rescanProblems(await findingsOf(t, [t.scanPath], io), plan.moved));
      if (problems.length) throw new UserError(`verification failed: ${problems.join('; ')}`);
    } catch (e) {
      restoreFiles({ ...journal, state: 'writing' });
      writeJournal(jpath, { ...journal, state: 'rolled-back' });
      const why = e instanceof UserError ? e.message : (e as Error).message;
      throw new UserError(`${why}; every file was restored (the secrets stay stored)`);
    }
    writeJournal(jpath, { ...journal, state: 'done' });
    step('verified');
    if (flags.staged) await stage(t.root, files.map((f) => f.path));

    io.stdout(renderSummary(plan, stored, exposure, conn.where));
    return plan.manual.length ? 1 : 0;
  } finally {
    await conn.close();
  }
}

function undo(jpath: string, io: IO): number {
  const journal = readJournal(jpath);
  if (!journal) throw new UserError('no fix to undo (no journal)');
  if (journal.state === 'undone' || journal.state === 'rolled-back') throw new UserError(`nothing to undo: the last fix was already ${journal.state === 'undone' ? 'undone' : 'rolled back'}`);
  const restored = restoreFiles(journal);
  writeJournal(jpath, { ...journal, state: 'undone' });
  io.stdout(`leakfix fix --undo: restored ${restored.length} file(s)${restored.length ? `: ${restored.join(', ')}` : ''}\n`);
  io.stdout(`The ${journal.secrets.length} secret(s) stay in the store: ${journal.secrets.join(', ')}\n`);
  return 0;
}

function rotationLines(plan: Plan, exposure: Map<string, string[]>): string[] {
  const lines: string[] = [];
  for (const s of plan.secrets) {
    for (const m of s.members) {
      if (!m.credential) continue;
      const commits = exposure.get(m.value) ?? [];
      const what = `${m.env} (${m.ruleIds.join(', ')}, ${redact(m.value)}) in ${s.name}${m.key ? ` key ${m.key}` : ''}`;
      lines.push(commits.length ? `  ROTATE ${what}: in git history, commits ${commits.map((c) => c.slice(0, 12)).join(', ')}` : `  rotate ${what}: not in git history, but it was in plain text on disk`);
    }
  }
  return lines;
}

function renderPlan(plan: Plan, flags: FixFlags, exposure: Map<string, string[]>, kind: StoreKind): string {
  const out: string[] = [`leakfix fix --dry-run: ${plan.secrets.length} secret(s) would be stored in ${kind === 'local' ? 'the local leakfix store' : 'AWS Secrets Manager'}; nothing is changed`, ''];
  for (const s of plan.secrets) {
    out.push(`${s.name}${s.json ? ' (JSON)' : ''}`);
    for (const m of s.members) out.push(`  ${m.key ? `key ${m.key} ← ` : ''}${m.env} = ${flags.showSecrets ? m.value : shown(m)}`);
    out.push(`  found in ${[...new Set(s.foundIn)].join(', ')}`);
  }
  if (plan.rewrites.length) {
    out.push('', 'Rewrites:');
    for (const r of plan.rewrites) out.push(`  ${r.path}:${r.line} → ${r.env}`);
  }
  if (plan.manual.length) {
    out.push('', 'Move by hand (the value would be stored; leakfix cannot rewrite these):');
    out.push(...plan.manual.map(manualLine));
  }
  out.push('', 'Must be rotated at the provider (moving does not un-leak):', ...rotationLines(plan, exposure), '');
  const hidden = flags.showSecrets ? [] : plan.secrets.flatMap((s) => s.members.filter((m) => m.credential).map((m) => m.value));
  for (const f of plan.files) out.push(unifiedDiff(f.path, f.before, f.after, hidden));
  return out.join('\n');
}

/** A site leakfix cannot rewrite: where, which rule, the redacted value, why, and what to read instead. */
function manualLine(m: ManualSite): string {
  return `  ${m.path}:${m.line}:${m.column} ${m.ruleId} ${m.redacted}: ${m.reason} → read ${m.env} (${m.secretName})`;
}

function renderSummary(plan: Plan, stored: { name: string; action: string; versionId?: string }[], exposure: Map<string, string[]>, where: string): string {
  const verb: Record<string, string> = { create: 'created', unchanged: 'already stored', extend: 'new version (keys added)', update: 'new version' };
  const out = [`leakfix fix: ${stored.length} secret(s) in ${where}`];
  for (const s of stored) out.push(`  ${s.name}: ${verb[s.action]}${s.versionId ? ` (version ${s.versionId})` : ''}`);
  const files = [...new Set(plan.rewrites.map((r) => r.path))];
  out.push(`Rewrote ${plan.rewrites.length} place(s) in ${files.length} file(s); the mapping is in ${MAPPING_PATH} (commit it).`);
  for (const r of plan.rewrites) out.push(`  ${r.path}:${r.line} → ${r.env}${r.key ? ` (${r.secretName} key ${r.key})` : ` (${r.secretName})`}`);
  if (plan.manual.length) {
    out.push('Move by hand (already stored; leakfix cannot rewrite these):');
    out.push(...plan.manual.map(manualLine));
  }
  out.push('Must be rotated at the provider (moving does not un-leak):', ...rotationLines(plan, exposure));
  out.push('Run the app with its secrets: leakfix run -- <command>   Undo the file changes: leakfix fix --undo', '');
  return out.join('\n');
}
