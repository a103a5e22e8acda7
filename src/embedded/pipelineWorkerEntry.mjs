// Entry of a pipeline worker thread (pipelineWorker.ts). A new thread starts
// without the parent's module loader, so register tsx here, as bin/yunlian.js
// does for the CLI, then run the TypeScript side.
import { register } from 'tsx/esm/api';

register();
await import('./pipelineWorkerThread.ts');
