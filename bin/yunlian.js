#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: on the 2-core machines `yunlian up` targets, V8's parallel GC helper threads compete
// with the pipeline threads for the same cores; without them the embedded stack drained 400k events of the
// 14,000-firm scenario 15 % sooner on 18 % less CPU (docs/performance.md). A V8 flag must be given to node
// itself (NODE_OPTIONS refuses it), hence here, in `npm start` and in `npm run bench`. Deployments with more
// cores (deploy/k8s runs `node bin/yunlian.js`) keep V8's default.
// Runs the TypeScript sources directly through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
