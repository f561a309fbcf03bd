// Runs the worker entry point (apps/worker/main.ts) from TypeScript in a child process.
const path = require('node:path');
const { root } = require('./ts-register');

require(path.join(root, 'apps/worker/main.ts'));
