// Worker thread: compiles the rules once, then takes batches from a shared list until none are
// left. The next batch index is a shared counter, so the main thread (busy with the AST stage
// at times) never holds a worker up.
import { parentPort, workerData } from 'node:worker_threads';
import { engineFromInit, scanFileList, type WorkerInit, type WorkerJobs } from './scan-files.js';

const engine = engineFromInit(workerData as WorkerInit);
parentPort!.on('message', (msg: WorkerJobs) => {
  const next = new Int32Array(msg.next);
  for (let id = Atomics.add(next, 0, 1); id < msg.jobs.length; id = Atomics.add(next, 0, 1)) {
    parentPort!.postMessage({ id, result: scanFileList(engine, msg.jobs[id], msg.maxFileSize) });
  }
  parentPort!.postMessage({ id: -1 });
});
