// Worker thread for git history: compiles the rules once, then scans blobs sent as
// { id, path, bytes } and answers { id, findings }. (scan-worker.ts does the same for files.)
import { parentPort, workerData } from 'node:worker_threads';
import { detectChunk } from './detect/engine.js';
import { engineFromInit, type WorkerInit } from './scan-files.js';
import type { Finding } from './types.js';

const engine = engineFromInit(workerData as WorkerInit);
// A batch is one packed buffer: blob i is packed[offsets[i] .. offsets[i + 1]).
parentPort!.on('message', (batch: { ids: number[]; paths: string[]; offsets: number[]; packed: Uint8Array }) => {
  const all = Buffer.from(batch.packed.buffer, batch.packed.byteOffset, batch.packed.byteLength);
  const answers: { id: number; findings: Finding[] }[] = [];
  batch.ids.forEach((id, i) => {
    const findings = detectChunk(engine, { path: batch.paths[i], bytes: all.subarray(batch.offsets[i], batch.offsets[i + 1]), origin: { kind: 'file' } });
    if (findings.length) answers.push({ id, findings });
  });
  parentPort!.postMessage({ ids: batch.ids, answers }); // blobs without findings: just their id
});
