// Secrets Manager semantics, one function per API operation. Each handler reads the current
// state, validates, and hands the changes to ctx.commit as journal ops; only apply() mutates.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { open, seal, TamperError } from './envelope.js';
import { apiError, exists, invalidParameter, invalidRequest, notFound, validation } from './errors.js';
import { randomPassword, type PasswordOptions } from './password.js';
import { checkRules, nextRotation } from './schedule.js';
import { labelsOf, metaOf, type Meta, type Op, type RotationRules, type Secret, type State, type Tag, type Version } from './state.js';

export type Ctx = {
  state: State;
  now: () => number;
  master: Buffer;
  region: string;
  account: string;
  commit: (ops: Op[]) => Promise<void>; // journal (fsync) then apply
  locked: <T>(fn: () => Promise<T>) => Promise<T>; // the single writer queue
  rotation: {
    known: (lambdaArn: string) => Promise<boolean>;
    running: (arn: string) => boolean;
    start: (arn: string, token: string) => void;
  };
};

type In = Record<string, any>;
type Out = Record<string, unknown>;

const DAY = 86_400_000;
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const PENDING = 'AWSPENDING';
const MAX_UNLABELED = 100;
const secs = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const drop = <T extends Out>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

// ---- validation -------------------------------------------------------------------------

const NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

function str(input: In, key: string, required = false): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) {
    if (required) invalidParameter(`You must specify a value for ${key}.`);
    return undefined;
  }
  if (typeof v !== 'string') invalidParameter(`${key} must be a string.`);
  return v;
}

function int(input: In, key: string, lo: number, hi: number): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || v < lo || v > hi) validation(`1 validation error detected: Value '${v}' at '${key}' failed to satisfy constraint: Member must have value between ${lo} and ${hi}`);
  return v;
}

function token(input: In): string | undefined {
  const t = str(input, 'ClientRequestToken');
  if (t !== undefined && (t.length < 32 || t.length > 64)) {
    validation("1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64");
  }
  return t;
}

function checkTags(tags: unknown): Tag[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) invalidParameter('Tags must be a list.');
  const list = tags as Tag[];
  for (const t of list) {
    if (typeof t?.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128) validation('Tag keys must be 1-128 characters.');
    if (t.Value !== undefined && (typeof t.Value !== 'string' || t.Value.length > 256)) validation('Tag values must be at most 256 characters.');
    if (t.Key.toLowerCase().startsWith('aws:')) invalidParameter('Tag keys starting with "aws:" are reserved for AWS use.');
  }
  return list.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

function mergeTags(old: Tag[], add: Tag[]): Tag[] {
  const m = new Map(old.map((t) => [t.Key, t.Value]));
  for (const t of add) m.set(t.Key, t.Value);
  if (m.size > 50) invalidParameter('A secret can have at most 50 tags.');
  return [...m].map(([Key, Value]) => ({ Key, Value }));
}

type Value = { binary: boolean; bytes: Buffer };

function valueOf(input: In, required: boolean): Value | undefined {
  const s = input.SecretString;
  const b = input.SecretBinary;
  if (s !== undefined && b !== undefined) {
    invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (s !== undefined) {
    if (typeof s !== 'string') invalidParameter('SecretString must be a string.');
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length > 65536) validation('SecretString must be at most 65536 bytes.');
    return { binary: false, bytes };
  }
  if (b !== undefined) {
    if (typeof b !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b)) invalidParameter('SecretBinary must be base64-encoded.');
    const bytes = Buffer.from(b, 'base64');
    if (bytes.length > 65536) validation('SecretBinary must be at most 65536 bytes.');
    return { binary: true, bytes };
  }
  if (required) invalidParameter('You must provide either SecretString or SecretBinary.');
  return undefined;
}

function checkStages(stages: unknown): string[] | undefined {
  if (stages === undefined || stages === null) return undefined;
  if (!Array.isArray(stages) || stages.length > 20) invalidParameter('VersionStages must be a list of at most 20 labels.');
  for (const s of stages as unknown[]) {
    if (typeof s !== 'string' || s.length < 1 || s.length > 256) validation('Each staging label must be 1-256 characters.');
  }
  return [...new Set(stages as string[])];
}

// ---- lookup -----------------------------------------------------------------------------

const purged = (ctx: Ctx, s: Secret) => s.purgeAt !== undefined && s.purgeAt <= ctx.now();

// SecretId may be a name, a full ARN, or an ARN without the random six-character suffix.
export function findSecret(ctx: Ctx, id: string): Secret | undefined {
  const st = ctx.state;
  let s = st.secrets.get(id);
  if (!s) {
    const byName = st.byName.get(id);
    if (byName) s = st.secrets.get(byName);
  }
  if (!s && id.startsWith('arn:')) {
    for (const c of st.secrets.values()) if (c.arn.slice(0, -7) === id) s = c;
  }
  return s && !purged(ctx, s) ? s : undefined;
}

function mustFind(ctx: Ctx, input: In): Secret {
  const id = str(input, 'SecretId', true)!;
  return findSecret(ctx, id) ?? notFound();
}

function mustBeLive(s: Secret): void {
  if (s.deletedAt !== undefined) {
    invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
  }
}

// ---- values ---------------------------------------------------------------------------

const aad = (arn: string, versionId: string) => `${arn}|${versionId}`;

function readValue(ctx: Ctx, s: Secret, v: Version): Value {
  try {
    return { binary: !!v.binary, bytes: open(ctx.master, v.value!, aad(s.arn, v.id)) };
  } catch (e) {
    if (!(e instanceof TamperError)) throw e;
    throw apiError(
      'DecryptionFailure',
      `The stored value of secret ${s.name} version ${v.id} failed its AES-GCM integrity check: the data file or master key was altered or corrupted.`,
    );
  }
}

const wireValue = (v: Value) => (v.binary ? { SecretBinary: v.bytes.toString('base64') } : { SecretString: v.bytes.toString('utf8') });

function sameValue(a: Value, b: Value): boolean {
  return a.binary === b.binary && a.bytes.length === b.bytes.length && timingSafeEqual(a.bytes, b.bytes);
}

// ---- versions and labels -----------------------------------------------------------------

// Moves `labels` onto `versionId` (AWSCURRENT's old holder becomes AWSPREVIOUS), then prunes
// unlabeled versions beyond 100, oldest first, never one younger than 24 hours. `versions` is in
// creation order (Map insertion order), so the scan stops at the first young unlabeled version.
function stage(ctx: Ctx, meta: Meta, versions: Map<string, Version>, versionId: string, labels: string[], extra = 0): string[] {
  for (const label of labels) {
    const holder = meta.stages[label];
    if (label === CURRENT && holder !== undefined && holder !== versionId) meta.stages[PREVIOUS] = holder;
    meta.stages[label] = versionId;
  }
  const labeled = new Set(Object.values(meta.stages));
  let unlabeled = extra && !labeled.has(versionId) ? 1 : 0; // `extra`: versionId is not in `versions` yet
  for (const id of versions.keys()) if (!labeled.has(id)) unlabeled++;
  const pruned: string[] = [];
  for (const v of versions.values()) {
    if (unlabeled <= MAX_UNLABELED || ctx.now() - v.created < DAY) break;
    if (labeled.has(v.id) || v.id === versionId) continue;
    pruned.push(v.id);
    unlabeled--;
  }
  return pruned;
}

type NewVersion = { ops: Op[]; versionId: string; noop: boolean };

function addVersion(ctx: Ctx, s: Secret, meta: Meta, versionId: string, value: Value, labels: string[]): NewVersion {
  const existing = s.versions.get(versionId);
  if (existing?.value) {
    if (!sameValue(readValue(ctx, s, existing), value)) {
      exists("You can't modify an existing version, you can only create a new version.");
    }
    return { ops: [], versionId, noop: true };
  }
  const now = ctx.now();
  const v: Version = { id: versionId, created: existing?.created ?? now, value: seal(ctx.master, value.bytes, aad(s.arn, versionId)), binary: value.binary || undefined };
  // the new version is not in s.versions yet (unless RotateSecret made its placeholder)
  const pruned = stage(ctx, meta, s.versions, versionId, labels, existing ? 0 : 1);
  meta.lastChanged = now;
  const ops: Op[] = [{ t: 'ver', arn: s.arn, v }, { t: 'meta', m: meta }];
  if (pruned.length) ops.push({ t: 'drop', arn: s.arn, ids: pruned });
  return { ops, versionId, noop: false };
}

// ---- listing helpers ---------------------------------------------------------------------

type Filter = { Key: string; Values: string[] };
const FILTER_KEYS = new Set(['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']);

function checkFilters(filters: unknown): Filter[] {
  if (filters === undefined || filters === null) return [];
  if (!Array.isArray(filters) || filters.length > 10) invalidParameter('Filters must be a list of at most 10 filters.');
  for (const f of filters as Filter[]) {
    if (!FILTER_KEYS.has(f?.Key)) invalidParameter(`Invalid filter key: ${String(f?.Key)}.`);
    if (!Array.isArray(f.Values) || f.Values.length < 1 || f.Values.length > 10) invalidParameter('Each filter needs 1-10 Values.');
  }
  return filters as Filter[];
}

function filterMatches(s: Secret, ctx: Ctx, f: Filter): boolean {
  const fields = (): string[] => {
    switch (f.Key) {
      case 'name': return [s.name];
      case 'description': return [s.description ?? ''];
      case 'tag-key': return s.tags.map((t) => t.Key);
      case 'tag-value': return s.tags.map((t) => t.Value);
      case 'primary-region': return [ctx.region];
      case 'owning-service': return [];
      default: return [s.name, s.description ?? '', ...s.tags.flatMap((t) => [t.Key, t.Value])];
    }
  };
  const caseless = f.Key === 'description' || f.Key === 'all';
  const norm = (x: string) => (caseless ? x.toLowerCase() : x);
  const words = (x: string) => (f.Key === 'all' ? norm(x).split(/[^a-z0-9]+/).filter(Boolean).concat(norm(x)) : [norm(x)]);
  const hit = (value: string) => fields().some((field) => words(field).some((w) => w.startsWith(norm(value))));
  const positives = f.Values.filter((v) => !v.startsWith('!'));
  const negatives = f.Values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  return (positives.length === 0 || positives.some(hit)) && !negatives.some(hit);
}

function page<T>(items: T[], input: In, max: number, def: number): { items: T[]; next?: string } {
  const limit = int(input, 'MaxResults', 1, max) ?? def;
  let start = 0;
  const tok = input.NextToken;
  if (tok !== undefined && tok !== null) {
    const n = typeof tok === 'string' && /^[A-Za-z0-9_-]+$/.test(tok) ? Number(Buffer.from(tok, 'base64url').toString()) : NaN;
    if (!Number.isInteger(n) || n < 0) throw apiError('InvalidNextTokenException', 'The NextToken value is invalid.');
    start = n;
  }
  const end = start + limit;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

function versionsToStages(s: Secret): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [label, id] of Object.entries(s.stages)) (out[id] ??= []).push(label);
  for (const id in out) out[id].sort();
  return out;
}

function describe(ctx: Ctx, s: Secret, listing: boolean): Out {
  return drop({
    ARN: s.arn,
    Name: s.name,
    Description: s.description,
    KmsKeyId: s.kmsKeyId,
    RotationEnabled: s.rotationEnabled ?? false,
    RotationLambdaARN: s.rotationLambdaArn,
    RotationRules: s.rotationRules,
    LastRotatedDate: secs(s.lastRotated),
    LastChangedDate: secs(s.lastChanged),
    LastAccessedDate: secs(s.lastAccessed),
    DeletedDate: secs(s.deletedAt),
    NextRotationDate: s.rotationEnabled ? secs(s.nextRotation) : undefined,
    Tags: s.tags.length ? s.tags : undefined,
    [listing ? 'SecretVersionsToStages' : 'VersionIdsToStages']: versionsToStages(s),
    CreatedDate: secs(s.created),
    PrimaryRegion: ctx.region,
  });
}

// LastAccessedDate is a day, so a read only writes when the day changes.
async function touch(ctx: Ctx, s: Secret, v: Version): Promise<void> {
  const day = Math.floor(ctx.now() / DAY) * DAY;
  if (s.lastAccessed === day && v.lastAccessed === day) return;
  await ctx.locked(async () => {
    const cur = ctx.state.secrets.get(s.arn);
    const ver = cur?.versions.get(v.id);
    if (!cur || !ver || (cur.lastAccessed === day && ver.lastAccessed === day)) return;
    await ctx.commit([{ t: 'meta', m: { ...metaOf(cur), lastAccessed: day } }, { t: 'ver', arn: cur.arn, v: { ...ver, lastAccessed: day } }]);
  });
}

function pickVersion(s: Secret, versionId: string | undefined, label: string | undefined): Version {
  if (versionId !== undefined) {
    const v = s.versions.get(versionId);
    if (!v?.value || (label !== undefined && s.stages[label] !== versionId)) {
      notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    }
    return v!;
  }
  const stageLabel = label ?? CURRENT;
  const v = s.versions.get(s.stages[stageLabel] ?? '');
  if (!v?.value) notFound(`Secrets Manager can't find the specified secret value for staging label: ${stageLabel}`);
  return v!;
}

// ---- operations --------------------------------------------------------------------------

async function CreateSecret(ctx: Ctx, input: In): Promise<Out> {
  const name = str(input, 'Name', true)!;
  if (!NAME_RE.test(name)) {
    validation('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
  const description = str(input, 'Description');
  if (description !== undefined && description.length > 2048) validation('Description must be at most 2048 characters.');
  const kmsKeyId = str(input, 'KmsKeyId');
  const tags = mergeTags([], checkTags(input.Tags));
  const value = valueOf(input, false);
  const tok = token(input);
  if (input.AddReplicaRegions?.length) invalidRequest('Replica regions are not supported by the leakfix local store.');

  const prev = findSecret(ctx, name);
  if (prev) {
    if (prev.deletedAt !== undefined) {
      invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    const v = tok !== undefined ? prev.versions.get(tok) : undefined;
    if (v?.value && value && sameValue(readValue(ctx, prev, v), value)) return { ARN: prev.arn, Name: prev.name, VersionId: v.id };
    exists(`The operation failed because the secret ${name} already exists.`);
  }
  const now = ctx.now();
  const suffix = Array.from(randomBytes(6), (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 62]).join('');
  const arn = `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:${name}-${suffix}`;
  const meta: Meta = { arn, name, seq: ctx.state.seq + 1, description, kmsKeyId, tags, created: now, lastChanged: now, stages: {} };
  const ops: Op[] = [{ t: 'meta', m: meta }];
  let versionId: string | undefined;
  if (value) {
    versionId = tok ?? randomUUID();
    const shell: Secret = { ...meta, versions: new Map() };
    ops.push(...addVersion(ctx, shell, { ...meta, stages: {} }, versionId, value, [CURRENT]).ops);
  }
  await ctx.commit(ops);
  return drop({ ARN: arn, Name: name, VersionId: versionId });
}

async function GetSecretValue(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  const v = pickVersion(s, str(input, 'VersionId'), str(input, 'VersionStage'));
  const value = readValue(ctx, s, v);
  await touch(ctx, s, v);
  return { ARN: s.arn, Name: s.name, VersionId: v.id, ...wireValue(value), VersionStages: labelsOf(s, v.id), CreatedDate: secs(v.created) };
}

async function BatchGetSecretValue(ctx: Ctx, input: In): Promise<Out> {
  const ids = input.SecretIdList;
  const hasFilters = input.Filters !== undefined && input.Filters !== null;
  if ((ids === undefined || ids === null) === !hasFilters) {
    invalidParameter('Specify either SecretIdList or Filters, but not both.');
  }
  const SecretValues: Out[] = [];
  const Errors: Out[] = [];
  let next: string | undefined;
  const fetch = async (id: string) => {
    try {
      SecretValues.push(await GetSecretValue(ctx, { SecretId: id }));
    } catch (e) {
      const err = e as { type?: string; message: string };
      if (!err.type) throw e;
      Errors.push({ SecretId: id, ErrorCode: err.type, Message: err.message });
    }
  };
  if (hasFilters) {
    const filters = checkFilters(input.Filters);
    const all = [...ctx.state.secrets.values()]
      .filter((s) => !purged(ctx, s) && s.deletedAt === undefined && filters.every((f) => filterMatches(s, ctx, f)))
      .sort((a, b) => a.seq - b.seq);
    const p = page(all, input, 20, 20);
    next = p.next;
    for (const s of p.items) await fetch(s.arn);
  } else {
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 20) invalidParameter('SecretIdList must hold 1-20 secret ids.');
    if (input.MaxResults !== undefined || input.NextToken !== undefined) {
      invalidParameter('MaxResults and NextToken can only be used with Filters.');
    }
    for (const id of ids as string[]) await fetch(id);
  }
  return drop({ SecretValues, Errors, NextToken: next });
}

async function PutSecretValue(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  const value = valueOf(input, true)!;
  const labels = checkStages(input.VersionStages) ?? [CURRENT];
  const r = addVersion(ctx, s, metaOf(s), token(input) ?? randomUUID(), value, labels);
  await ctx.commit(r.ops);
  const after = ctx.state.secrets.get(s.arn)!;
  return { ARN: s.arn, Name: s.name, VersionId: r.versionId, VersionStages: labelsOf(after, r.versionId) };
}

async function UpdateSecret(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  const meta = metaOf(s);
  const description = str(input, 'Description');
  if (description !== undefined && description.length > 2048) validation('Description must be at most 2048 characters.');
  const kmsKeyId = str(input, 'KmsKeyId');
  const value = valueOf(input, false);
  const tok = token(input);
  if (description !== undefined) meta.description = description;
  if (kmsKeyId !== undefined) meta.kmsKeyId = kmsKeyId;
  meta.lastChanged = ctx.now();
  let versionId: string | undefined;
  let ops: Op[] = [{ t: 'meta', m: meta }];
  if (value) {
    const r = addVersion(ctx, s, meta, tok ?? randomUUID(), value, [CURRENT]);
    versionId = r.versionId;
    if (!r.noop) ops = r.ops;
  }
  await ctx.commit(ops);
  return drop({ ARN: s.arn, Name: s.name, VersionId: versionId });
}

async function DescribeSecret(ctx: Ctx, input: In): Promise<Out> {
  return describe(ctx, mustFind(ctx, input), false);
}

async function ListSecrets(ctx: Ctx, input: In): Promise<Out> {
  const filters = checkFilters(input.Filters);
  const order = input.SortOrder ?? 'asc';
  if (order !== 'asc' && order !== 'desc') invalidParameter('SortOrder must be asc or desc.');
  const by = input.SortBy ?? 'created-date';
  const key: Record<string, (s: Secret) => number | string> = {
    'created-date': (s) => s.created,
    'last-accessed-date': (s) => s.lastAccessed ?? 0,
    'last-changed-date': (s) => s.lastChanged,
    name: (s) => s.name,
  };
  if (!key[by]) invalidParameter('SortBy must be one of created-date, last-accessed-date, last-changed-date, name.');
  const all = [...ctx.state.secrets.values()]
    .filter((s) => !purged(ctx, s) && (input.IncludePlannedDeletion || s.deletedAt === undefined))
    .filter((s) => filters.every((f) => filterMatches(s, ctx, f)))
    .sort((a, b) => {
      const ka = key[by](a), kb = key[by](b);
      const c = ka < kb ? -1 : ka > kb ? 1 : a.seq - b.seq;
      return order === 'asc' ? c : -c;
    });
  const p = page(all, input, 100, 100);
  return drop({ SecretList: p.items.map((s) => describe(ctx, s, true)), NextToken: p.next });
}

async function ListSecretVersionIds(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  const labeled = new Set(Object.values(s.stages));
  const versions = [...s.versions.values()]
    .filter((v) => input.IncludeDeprecated || labeled.has(v.id))
    .sort((a, b) => b.created - a.created);
  const p = page(versions, input, 100, 100);
  return drop({
    ARN: s.arn,
    Name: s.name,
    Versions: p.items.map((v) =>
      drop({ VersionId: v.id, VersionStages: labelsOf(s, v.id), LastAccessedDate: secs(v.lastAccessed), CreatedDate: secs(v.created), KmsKeyIds: [s.kmsKeyId ?? 'DefaultEncryptionKey'] }),
    ),
    NextToken: p.next,
  });
}

async function UpdateSecretVersionStage(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  const label = str(input, 'VersionStage', true)!;
  if (label.length < 1 || label.length > 256) validation('VersionStage must be 1-256 characters.');
  const from = str(input, 'RemoveFromVersionId');
  const to = str(input, 'MoveToVersionId');
  if (from === undefined && to === undefined) invalidParameter('Specify RemoveFromVersionId, MoveToVersionId, or both.');
  const meta = metaOf(s);
  const holder = meta.stages[label];
  if (from !== undefined && holder !== from) {
    invalidParameter(`The staging label ${label} is not attached to version ${from}, so you can't remove it.`);
  }
  if (to !== undefined) {
    if (!s.versions.has(to)) notFound(`Secrets Manager can't find the specified secret version: ${to}`);
    if (holder !== undefined && holder !== to && from === undefined) {
      invalidParameter(
        `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
  } else if (label === CURRENT) {
    invalidParameter("You can't remove the staging label AWSCURRENT without moving it to another version.");
  }
  let pruned: string[] = [];
  if (to !== undefined) pruned = stage(ctx, meta, s.versions, to, [label]);
  else delete meta.stages[label];
  meta.lastChanged = ctx.now();
  const ops: Op[] = [{ t: 'meta', m: meta }];
  if (pruned.length) ops.push({ t: 'drop', arn: s.arn, ids: pruned });
  await ctx.commit(ops);
  return { ARN: s.arn, Name: s.name };
}

async function DeleteSecret(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  const force = input.ForceDeleteWithoutRecovery === true;
  if (force && input.RecoveryWindowInDays !== undefined && input.RecoveryWindowInDays !== null) {
    invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  const days = input.RecoveryWindowInDays ?? 30;
  if (!Number.isInteger(days) || days < 7 || days > 30) {
    invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  const now = ctx.now();
  if (force) {
    await ctx.commit([{ t: 'purge', arn: s.arn }]);
    return { ARN: s.arn, Name: s.name, DeletionDate: secs(now) };
  }
  if (s.deletedAt !== undefined) invalidRequest("You can't perform this operation on the secret because it was already scheduled for deletion.");
  const meta = { ...metaOf(s), deletedAt: now, purgeAt: now + days * DAY, lastChanged: now };
  await ctx.commit([{ t: 'meta', m: meta }]);
  return { ARN: s.arn, Name: s.name, DeletionDate: secs(meta.purgeAt) };
}

async function RestoreSecret(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  if (s.deletedAt !== undefined) {
    const meta = { ...metaOf(s), deletedAt: undefined, purgeAt: undefined, lastChanged: ctx.now() };
    await ctx.commit([{ t: 'meta', m: meta }]);
  }
  return { ARN: s.arn, Name: s.name };
}

async function TagResource(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  if (!Array.isArray(input.Tags)) invalidParameter('You must specify a value for Tags.');
  const meta = { ...metaOf(s), lastChanged: ctx.now() };
  meta.tags = mergeTags(meta.tags, checkTags(input.Tags));
  await ctx.commit([{ t: 'meta', m: meta }]);
  return {};
}

async function UntagResource(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  const keys = input.TagKeys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) invalidParameter('You must specify a list of strings for TagKeys.');
  const meta = { ...metaOf(s), lastChanged: ctx.now() };
  meta.tags = meta.tags.filter((t) => !keys.includes(t.Key));
  await ctx.commit([{ t: 'meta', m: meta }]);
  return {};
}

async function RotateSecret(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  const lambda = str(input, 'RotationLambdaARN') ?? s.rotationLambdaArn;
  if (!lambda) invalidRequest('No Lambda rotation function ARN is associated with this secret.');
  if (!(await ctx.rotation.known(lambda!))) {
    invalidRequest(`The rotation function ${lambda} is not configured in the store's rotation.json.`);
  }
  const rules = input.RotationRules as RotationRules | undefined;
  if (rules !== undefined && rules !== null) checkRules(rules);
  if (ctx.rotation.running(s.arn)) invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  const tok = token(input) ?? randomUUID();
  if (s.versions.has(tok)) return { ARN: s.arn, Name: s.name, VersionId: tok }; // a retried request
  const now = ctx.now();
  const meta = metaOf(s);
  meta.rotationEnabled = true;
  meta.rotationLambdaArn = lambda;
  if (rules) meta.rotationRules = drop({ ...rules });
  meta.nextRotation = nextRotation(meta.rotationRules, now);
  meta.lastChanged = now;
  const immediately = input.RotateImmediately !== false;
  const ops: Op[] = [];
  if (immediately) {
    // The placeholder createSecret fills in, as Secrets Manager does before invoking the Lambda.
    ops.push({ t: 'ver', arn: s.arn, v: { id: tok, created: now } });
    stage(ctx, meta, s.versions, tok, [PENDING], 1);
  }
  ops.push({ t: 'meta', m: meta });
  await ctx.commit(ops);
  if (immediately) ctx.rotation.start(s.arn, tok);
  return drop({ ARN: s.arn, Name: s.name, VersionId: immediately ? tok : undefined });
}

async function CancelRotateSecret(ctx: Ctx, input: In): Promise<Out> {
  const s = mustFind(ctx, input);
  mustBeLive(s);
  const meta = { ...metaOf(s), rotationEnabled: false, nextRotation: undefined, lastChanged: ctx.now() };
  await ctx.commit([{ t: 'meta', m: meta }]);
  const pending = s.stages[PENDING];
  return drop({ ARN: s.arn, Name: s.name, VersionId: pending !== s.stages[CURRENT] ? pending : undefined });
}

async function GetRandomPassword(_ctx: Ctx, input: In): Promise<Out> {
  return { RandomPassword: randomPassword(input as PasswordOptions) };
}

export type Handler = (ctx: Ctx, input: In) => Promise<Out>;

// `write: true` handlers run inside the single writer queue.
export const operations: Record<string, { run: Handler; write: boolean }> = {
  CreateSecret: { run: CreateSecret, write: true },
  GetSecretValue: { run: GetSecretValue, write: false },
  BatchGetSecretValue: { run: BatchGetSecretValue, write: false },
  PutSecretValue: { run: PutSecretValue, write: true },
  UpdateSecret: { run: UpdateSecret, write: true },
  DescribeSecret: { run: DescribeSecret, write: false },
  ListSecrets: { run: ListSecrets, write: false },
  ListSecretVersionIds: { run: ListSecretVersionIds, write: false },
  UpdateSecretVersionStage: { run: UpdateSecretVersionStage, write: true },
  DeleteSecret: { run: DeleteSecret, write: true },
  RestoreSecret: { run: RestoreSecret, write: true },
  TagResource: { run: TagResource, write: true },
  UntagResource: { run: UntagResource, write: true },
  RotateSecret: { run: RotateSecret, write: true },
  CancelRotateSecret: { run: CancelRotateSecret, write: true },
  GetRandomPassword: { run: GetRandomPassword, write: false },
};

// Secrets whose recovery window has passed: purged from the journal by the writer.
export function expiredDeletions(ctx: Ctx): string[] {
  return [...ctx.state.secrets.values()].filter((s) => purged(ctx, s)).map((s) => s.arn);
}
