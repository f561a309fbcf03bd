'use strict';

const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');

const COLUMNS = ['Scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors / non-2xx', 'req/s vs baseline'];
/** Shown only in groups where some scenario measured its server's CPU (see load.js). */
const CPU_COLUMN = 'server CPU µs / response';

/**
 * One row per scenario. `outcome` is either `{ result }` (from `measure`) or `{ error }`
 * (the scenario could not be set up or driven); `baselineRps` gives the ratio column;
 * `withCpu` adds the server-CPU column.
 */
function tableRow(scenario, outcome, baselineRps, withCpu = false) {
  const cpu = withCpu ? [outcome.result?.serverCpuUs === undefined ? '—' : outcome.result.serverCpuUs.toFixed(1)] : [];
  if (outcome.error) return [scenario.name, '—', '—', '—', `failed: ${oneLine(outcome.error.message)}`, '—', ...cpu];
  const { result } = outcome;
  const ratio = baselineRps ? `${((result.rps / baselineRps) * 100).toFixed(1)} %` : '—';
  return [
    scenario.name,
    Math.round(result.rps).toLocaleString('en-US'),
    formatMs(result.p50),
    formatMs(result.p99),
    `${result.errors} / ${result.non2xx}${unexpectedStatuses(result)}`,
    ratio,
    ...cpu,
  ];
}

function markdownTable(rows, baselineName, withCpu = false) {
  const header = [...COLUMNS, ...(withCpu ? [CPU_COLUMN] : [])].map((column) =>
    column === 'req/s vs baseline' && baselineName ? `req/s vs ${baselineName}` : column,
  );
  const line = (cells) => `| ${cells.map((cell) => String(cell).replace(/\|/g, '\\|')).join(' | ')} |`;
  const align = `|${header.map((_, index) => (index === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  return [line(header), align, ...rows.map(line)].join('\n');
}

/** The report of one scenario group, overwritten on every run. */
function writeReport(file, { group, date, machine, services, settings, table, failures, findings = [] }) {
  const lines = [
    `# Benchmark: ${group.name}`,
    '',
    group.description ?? '',
    '',
    `- **Date:** ${date.toISOString()}`,
    `- **Machine:** ${machine.cpuModel}, ${machine.cpuCount} CPUs, ${machine.memoryGiB} GiB RAM, ${machine.os}`,
    `- **Software:** Node ${machine.node}, autocannon ${machine.autocannon}, fastify ${machine.fastify}, PostgreSQL ${services.postgres}, Redis ${services.redis}`,
    `- **Commit:** ${machine.commit}`,
    `- **Settings:** ${settings.durationS} s measured per scenario after ${settings.warmupS} s of warm-up, ${settings.connections} connections, ` +
      `pipelining 1; load generator in the runner process, every server in its own child process; Strata LOG_LEVEL=${settings.logLevel}`,
    '',
    table,
    '',
    'Latency is over every response, at microsecond resolution. "errors" counts connection errors and timeouts; ' +
      'any error or non-2xx response fails the run. autocannon runs in one process on the same cores as the servers ' +
      '(and PostgreSQL and Redis), so the fastest scenarios are partly bounded by the load generator: compare ratios ' +
      'within one run, not absolute numbers across machines.' +
      (table.includes(CPU_COLUMN)
        ? ' "server CPU" is the user + system time of the server process over the measured run divided by its responses ' +
          '(/proc), which does not depend on how much of the cores the load generator took.'
        : ''),
  ];
  if (findings.length) lines.push('', '## Findings', '', ...findings.map((finding) => `- ${finding}`));
  const described = group.scenarios.filter((scenario) => scenario.description);
  if (described.length) {
    lines.push('', '## Scenarios', '', ...described.map((scenario) => `- **${scenario.name}**: ${scenario.description}`));
  }
  lines.push('', `## Result: ${failures.length ? 'FAIL' : 'PASS'}`, '');
  if (failures.length) lines.push(...failures.map((failure) => `- ${oneLine(failure)}`), '');

  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n'));
}

function unexpectedStatuses(result) {
  const codes = Object.entries(result.statusCodes).filter(([code]) => !code.startsWith('2'));
  return codes.length ? ` (${codes.map(([code, count]) => `${code}×${count}`).join(', ')})` : '';
}

function formatMs(value) {
  return Number.isFinite(value) ? value.toFixed(2) : '—';
}

function oneLine(text) {
  return String(text).split('\n')[0];
}

module.exports = { tableRow, markdownTable, writeReport };
