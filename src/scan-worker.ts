// Worker thread: compiles the rules once, then takes jobs by a shared counter until none are
// left, so the main thread (listing, scanning its own share, parsing) never holds a worker up. Jobs
// arrive as the listing finds them; a worker that took an index not listed yet waits for it.
import { parentPort, workerData } from 'node:worker_threads';
import { engineFromInit, scanFileList, type WorkerInit, type WorkerJobs } from './scan-files.js';
import type { FileEntry } from './sources/files.js';

const engine = engineFromInit(workerData as WorkerInit);
let next: Int32Array | undefined;
let maxFileSize = 0;
const jobs: FileEntry[][] = [];
let total = -1;
// The job index this worker took but the listing has not produced yet.
let claimed = -1;

parentPort!.on('message', (msg: WorkerJobs) => {
  if (msg.next) {
    next = new Int32Array(msg.next);
    maxFileSize = msg.maxFileSize!;
  }
  if (msg.jobs) for (const j of msg.jobs) jobs.push(j);
  if (msg.total !== undefined) total = msg.total;
  if (!next) return;
  for (;;) {
    if (claimed < 0) claimed = Atomics.add(next, 0, 1);
    if (claimed < jobs.length) {
      parentPort!.postMessage({ id: claimed, result: scanFileList(engine, jobs[claimed], maxFileSize) });
      claimed = -1;
      continue;
    }
    if (total >= 0 && claimed >= total) {
      parentPort!.postMessage({ id: -1 });
      next = undefined; // done: later messages change nothing
    }
    return; // wait for the listing to reach the claimed job
  }
});
