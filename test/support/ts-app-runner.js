// Runs `npm start`'s entry point (apps/main.ts) from TypeScript in a child process; the role
// (all, api or worker) comes from PROCESS_ROLE, the port from PORT, as in production.
const path = require('node:path');
const { root } = require('./ts-register');

require(path.join(root, 'apps/main.ts'));
