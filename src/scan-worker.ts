// Worker thread: compiles the rules once, then scans batches of files on request.
import { parentPort, workerData } from 'node:worker_threads';
import { engineFromInit, scanFileList, type WorkerInit } from './scan-files.js';
import type { FileEntry } from './sources/files.js';

const engine = engineFromInit(workerData as WorkerInit);
parentPort!.on('message', (msg: { files: FileEntry[]; maxFileSize: number }) => {
  parentPort!.postMessage(scanFileList(engine, msg.files, msg.maxFileSize));
});
