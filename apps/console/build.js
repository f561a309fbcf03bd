// Builds the console (apps/console/src) into dist/console: one minified ES module and one
// stylesheet, named by content hash under assets/ (so the server can let browsers cache them
// for a year), an index.html that names them, and .br/.gz copies the server sends as they are.
// esbuild does it in well under a second, so `npm start`, `npm run build` and the browser tests'
// setup all simply build it.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.resolve(__dirname, '..', '..');
const SOURCE_DIR = path.join(__dirname, 'src');
const DEFAULT_OUT_DIR = path.join(root, 'dist', 'console');

/** Files of the console's sources, for the build stamp that tells `npm start` whether to rebuild. */
const isConsoleSource = (name) => /\.(tsx?|css|html)$/.test(name) && !name.endsWith('.spec.ts');

async function buildConsole({ outDir = DEFAULT_OUT_DIR } = {}) {
  const esbuild = require('esbuild');
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { console: path.join(SOURCE_DIR, 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // The typed client (packages/client) from its TypeScript sources, as its package.json offers them.
    conditions: ['strata-source'],
    // Libraries drop their development-only checks and warnings.
    define: { 'process.env.NODE_ENV': '"production"' },
    entryNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    outdir: outDir,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
    absWorkingDir: root,
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(outDir, path.join(root, file)));
  const script = outputs.find((file) => file.endsWith('.js'));
  const stylesheet = outputs.find((file) => file.endsWith('.css'));
  const template = fs.readFileSync(path.join(SOURCE_DIR, 'index.html'), 'utf8');
  fs.writeFileSync(path.join(outDir, 'index.html'), template.replace('%STYLESHEET%', stylesheet).replace('%SCRIPT%', script));
  const sizes = {};
  for (const file of [...outputs, 'index.html']) {
    const body = fs.readFileSync(path.join(outDir, file));
    const gzip = zlib.gzipSync(body, { level: 9 });
    fs.writeFileSync(path.join(outDir, `${file}.gz`), gzip);
    fs.writeFileSync(path.join(outDir, `${file}.br`), zlib.brotliCompressSync(body));
    sizes[file] = { bytes: body.length, gzipBytes: gzip.length };
  }
  return { outDir, script, stylesheet, sizes };
}

module.exports = { buildConsole, isConsoleSource, CONSOLE_SOURCE_DIR: SOURCE_DIR };

if (require.main === module) {
  buildConsole().then(
    ({ outDir, sizes }) => {
      const total = Object.values(sizes).reduce((sum, size) => sum + size.gzipBytes, 0);
      console.error(`console built in ${path.relative(root, outDir)}: ${(total / 1024).toFixed(1)} KiB gzipped`);
    },
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
