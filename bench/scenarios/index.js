'use strict';

/** Every scenario group, in the order `npm run bench` runs them. Each writes `bench/results/<name>.md`. */
module.exports = [
  require('./foundation'),
  require('./cache'),
  require('./webhooks'),
  require('./auth'),
  require('./relationships'),
  require('./events'),
  require('./media'),
];
