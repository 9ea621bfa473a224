// Worker thread for git history: compiles the rules once, then scans blobs sent as
// { id, path, bytes } and answers { id, findings }. (scan-worker.ts does the same for files.)
import { parentPort, workerData } from 'node:worker_threads';
import { detectChunk } from './detect/engine.js';
import { engineFromInit, type WorkerInit } from './scan-files.js';

const engine = engineFromInit(workerData as WorkerInit);
parentPort!.on('message', (jobs: { id: number; path: string; bytes: Uint8Array }[]) => {
  parentPort!.postMessage(
    jobs.map((job) => ({ id: job.id, findings: detectChunk(engine, { path: job.path, bytes: Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), origin: { kind: 'file' } }) })),
  );
});
