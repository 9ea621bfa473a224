// Runs every sink's examples and negative examples through the AST stage, like `rules check`
// does for pattern rules: an example must yield its secret span and flow, a negative nothing.
import { detectAst, worthParsing } from './detect.js';
import { createEngine, detectChunk, type Engine } from '../engine.js';
import { loadRules } from '../../rules/load.js';
import { loadSinks, type Sink } from './sinks.js';

export interface SinkCheckFailure {
  sinkId: string;
  message: string;
}

export function checkSinks(sinks: Sink[] = loadSinks()): { examples: number; negatives: number; failures: SinkCheckFailure[] } {
  const failures: SinkCheckFailure[] = [];
  let examples = 0;
  let negatives = 0;
  let engine: Engine | undefined;
  for (const sink of sinks) {
    const fail = (message: string) => failures.push({ sinkId: sink.id, message });
    if (!sink.examples?.length) fail('has no examples');
    if (!sink.negative_examples?.length) fail('has no negative_examples');
    for (const [i, ex] of (sink.examples ?? []).entries()) {
      examples++;
      // The analysis itself, without the cheap gate; call sinks must also pass the gate.
      const hits = detectAst(ex.code, ex.path ?? 'example.ts', { gate: false });
      // A scan must still report it: parsed, or found by the pattern/generic detectors on their own.
      if (sink.kind === 'call' && !worthParsing(ex.code, sinks)) {
        engine ??= createEngine(loadRules(), { ast: false });
        const found = detectChunk(engine, { path: ex.path ?? 'example.ts', text: ex.code, origin: { kind: 'file' } });
        if (!found.some((f) => f.secret === ex.secret)) fail(`examples[${i}] would be missed by a scan: the gate does not parse it (add a keyword) and no other detector finds it`);
      }
      const hit = hits.find((h) => h.sinkId === sink.id && h.secret === ex.secret);
      const flow = hit?.flow.map((s) => s.name);
      if (!hit) fail(`examples[${i}] expected ${JSON.stringify(ex.secret)}, got ${JSON.stringify(hits.map((h) => [h.sinkId, h.secret]))}`);
      else if (JSON.stringify(flow) !== JSON.stringify(ex.flow)) fail(`examples[${i}] expected flow ${JSON.stringify(ex.flow)}, got ${JSON.stringify(flow)}`);
      else if (!/[+[]|join/.test(ex.code.slice(hit.start, hit.end)) && ex.code.slice(hit.start, hit.end) !== ex.secret) fail(`examples[${i}] span ${hit.start}-${hit.end} is not the secret`);
    }
    for (const [i, ex] of (sink.negative_examples ?? []).entries()) {
      negatives++;
      if (!ex.why?.trim()) fail(`negative_examples[${i}] needs a one-line why`);
      const hits = detectAst(ex.code, ex.path ?? 'example.ts', { gate: false });
      if (hits.length) fail(`negative_examples[${i}] (${ex.why}) was reported: ${JSON.stringify(hits.map((h) => [h.sinkId, h.secret]))}`);
    }
  }
  return { examples, negatives, failures };
}
