// The store's in-memory state and the one function that changes it. Live requests and journal
// replay both go through apply(), so what a restarted store sees is exactly what was acknowledged.
import type { Sealed } from './envelope.js';

export type Tag = { Key: string; Value: string };
export type RotationRules = { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string };

export type Version = {
  id: string;
  created: number; // epoch ms
  value?: Sealed; // absent for the placeholder RotateSecret creates before createSecret fills it
  binary?: boolean;
  lastAccessed?: number;
};

export type Meta = {
  arn: string;
  name: string;
  seq: number; // creation order, a stable tie-breaker for listing and pagination
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  created: number;
  lastChanged: number;
  lastAccessed?: number;
  deletedAt?: number;
  purgeAt?: number;
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationRules?: RotationRules;
  lastRotated?: number;
  nextRotation?: number;
  stages: Record<string, string>; // label -> version id; a label is on at most one version
};

export type Secret = Meta & { versions: Map<string, Version> };

export type Op =
  | { t: 'meta'; m: Meta }
  | { t: 'ver'; arn: string; v: Version }
  | { t: 'drop'; arn: string; ids: string[] }
  | { t: 'purge'; arn: string };

export type Record_ = { at: number; ops: Op[] };

export type State = { secrets: Map<string, Secret>; byName: Map<string, string>; seq: number };

export const emptyState = (): State => ({ secrets: new Map(), byName: new Map(), seq: 0 });

export function apply(state: State, op: Op): void {
  switch (op.t) {
    case 'meta': {
      const prev = state.secrets.get(op.m.arn);
      state.secrets.set(op.m.arn, { ...op.m, versions: prev?.versions ?? new Map() });
      state.byName.set(op.m.name, op.m.arn);
      state.seq = Math.max(state.seq, op.m.seq);
      return;
    }
    case 'ver': {
      state.secrets.get(op.arn)?.versions.set(op.v.id, op.v);
      return;
    }
    case 'drop': {
      const s = state.secrets.get(op.arn);
      for (const id of op.ids) s?.versions.delete(id);
      return;
    }
    case 'purge': {
      const s = state.secrets.get(op.arn);
      if (!s) return;
      state.secrets.delete(op.arn);
      if (state.byName.get(s.name) === op.arn) state.byName.delete(s.name);
      return;
    }
  }
}

export function replay(records: unknown[]): State {
  const state = emptyState();
  for (const r of records) for (const op of (r as Record_).ops) apply(state, op);
  return state;
}

// The minimal records that rebuild `state`, used to compact the journal.
export function snapshot(state: State): Record_[] {
  const out: Record_[] = [];
  for (const s of state.secrets.values()) {
    const { versions, ...meta } = s;
    out.push({ at: Date.now(), ops: [{ t: 'meta', m: meta }, ...[...versions.values()].map((v) => ({ t: 'ver' as const, arn: s.arn, v }))] });
  }
  return out;
}

export function metaOf(s: Secret): Meta {
  const { versions: _versions, ...meta } = s;
  return { ...meta, stages: { ...meta.stages }, tags: meta.tags.map((t) => ({ ...t })) };
}

export function labelsOf(s: Meta, versionId: string): string[] {
  return Object.entries(s.stages)
    .filter(([, id]) => id === versionId)
    .map(([label]) => label)
    .sort();
}
