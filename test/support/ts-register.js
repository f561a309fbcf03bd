// Lets a plain Node child process require the app's TypeScript sources: each file is
// transpiled on load the way ts-jest does, and `@strata/*` resolves to libs/*/src, so fault
// tests can signal or SIGKILL a real app process without a build step.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '../..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const alias = /^@strata\/([a-z-]+)$/.exec(request);
  return resolveFilename.call(this, alias ? path.join(root, 'libs', alias[1], 'src') : request, ...rest);
};
const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
};
// Transpiled output is kept on disk by content hash: fault tests spawn several app processes,
// and transpiling the whole app again in each one cost seconds of every start.
const cacheDir = path.join(os.tmpdir(), `strata-ts-register-${ts.version}`);
fs.mkdirSync(cacheDir, { recursive: true });
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const cached = path.join(cacheDir, `${createHash('sha256').update(filename).update('\0').update(source).digest('hex')}.js`);
  let outputText;
  try {
    outputText = fs.readFileSync(cached, 'utf8');
  } catch {
    outputText = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    // Written under a unique name, then renamed: concurrent processes never read half a file.
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, outputText);
    fs.renameSync(partial, cached);
  }
  module._compile(outputText, filename);
};

module.exports = { root };
