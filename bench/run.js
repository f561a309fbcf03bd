'use strict';

// `npm run bench [group ...]`: builds Strata, then measures every scenario group (or the ones
// named) and writes bench/results/<group>.md. Exits non-zero when any scenario failed.
const { join } = require('node:path');
const { describeMachine } = require('./lib/machine');
const { writeReport } = require('./lib/report');
const { runCleanups, runGroup } = require('./lib/run-group');
const { serviceVersions } = require('./lib/infra');
const { readSettings } = require('./lib/settings');
const groups = require('./scenarios');

const RESULTS_DIR = join(__dirname, 'results');

async function main(args) {
  if (args.includes('--help') || args.includes('-h') || args.includes('--list')) {
    console.log(`Usage: node bench/run.js [group ...]\nGroups: ${groups.map((group) => group.name).join(', ')}`);
    return 0;
  }
  const unknown = args.filter((name) => !groups.some((group) => group.name === name));
  if (unknown.length) {
    console.error(`Unknown scenario group(s): ${unknown.join(', ')}. Groups: ${groups.map((group) => group.name).join(', ')}`);
    return 2;
  }
  const selected = args.length ? groups.filter((group) => args.includes(group.name)) : groups;

  const settings = readSettings();
  const machine = describeMachine();
  const services = await serviceVersions(settings);
  const cleanups = new Set();
  stopOnSignal(cleanups);

  let failed = false;
  for (const group of selected) {
    const date = new Date();
    const { table, failures, findings } = await runGroup(group, settings, cleanups);
    const file = join(RESULTS_DIR, `${group.name}.md`);
    writeReport(file, { group, date, machine, services, settings, table, failures, findings });
    console.log(
      `\n## ${group.name} (${machine.cpuModel} × ${machine.cpuCount}, Node ${machine.node}, ` +
        `${settings.durationS} s, ${settings.connections} connections)\n\n${table}\n`,
    );
    console.log(failures.length ? `FAIL:\n${failures.map((failure) => `  - ${failure}`).join('\n')}` : 'PASS');
    console.log(`Written to ${file}\n`);
    failed ||= failures.length > 0;
  }
  return failed ? 1 : 0;
}

/** Ctrl-C still stops the servers, drops the databases and deletes the Redis keys. */
function stopOnSignal(cleanups) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      console.error(`\n${signal}: cleaning up`);
      for (const list of [...cleanups].reverse()) await runCleanups(list);
      process.exit(130);
    });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
