// `npm run build`: a clean build of dist (what CI, Docker and the benchmarks run).
const { build } = require('./build-state');

build({ clean: true }).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
