'use strict';

const { measure } = require('./load');
const { markdownTable, tableRow } = require('./report');

/**
 * Runs one group's scenarios in order and returns its table and failures.
 *
 * A scenario is `{ name, description?, baseline?, label?, setup(ctx) | drive(ctx) }` (the baseline's `label`
 * names the ratio column); `setup` starts or reuses what
 * it needs and returns the autocannon target (`{ url, method?, headers?, body? }`). Through `ctx`:
 *   - `ctx.scoped(start)`: a resource (anything with `stop()`) stopped right after this scenario;
 *   - `ctx.shared(key, start)`: one resource per key for the whole group, stopped at its end;
 *   - `ctx.settings`: the run's settings.
 * Resources that are child servers (`output()`) have their last output printed when a scenario fails.
 */
async function runGroup(group, settings, cleanupRegistry) {
  const shared = new Map();
  const groupCleanups = [];
  cleanupRegistry.add(groupCleanups);
  const outcomes = [];

  try {
    for (const scenario of group.scenarios) {
      log(`${group.name} › ${scenario.name}`);
      const scenarioCleanups = [];
      cleanupRegistry.add(scenarioCleanups);
      const used = new Set();
      const ctx = {
        settings,
        async scoped(start) {
          const resource = await start();
          scenarioCleanups.push(() => resource.stop());
          used.add(resource);
          return resource;
        },
        async shared(key, start) {
          if (!shared.has(key)) {
            const starting = start();
            shared.set(key, starting);
            starting.then(
              (resource) => groupCleanups.push(() => resource.stop()),
              () => {},
            );
          }
          const resource = await shared.get(key);
          used.add(resource);
          return resource;
        },
      };

      let outcome;
      try {
        if (scenario.drive) {
          // Not an HTTP load (e.g. webhook deliveries): the scenario measures itself and returns
          // the same result shape (rps, p50, p99, requests, errors, timeouts, non2xx, statusCodes).
          outcome = { result: await scenario.drive(ctx) };
        } else {
          const target = await scenario.setup(ctx);
          await preflight(target);
          outcome = { result: await measure(target, settings) };
        }
        // Measured after the load: what the load left behind (a hit rate, a load count).
        if (scenario.findings) outcome.findings = await scenario.findings(ctx);
        for (const resource of used) {
          if (resource.exited?.()) throw new Error(`${resource.name} exited during the run. Its last output:\n${resource.output()}`);
        }
      } catch (error) {
        outcome = { error };
      }
      outcomes.push({ scenario, outcome, used });
      await runCleanups(scenarioCleanups);
      cleanupRegistry.delete(scenarioCleanups);

      const failure = describeFailure(outcome);
      if (outcome.error) {
        // The whole error: a server that failed to start carries its last output in the message.
        log(`  FAILED: ${indent(outcome.error.stack ?? outcome.error.message).trimStart()}`);
      } else if (failure) {
        log(`  FAILED: ${failure}`);
        for (const resource of used) {
          if (resource.output) log(`  last lines of ${resource.name}'s output:\n${indent(lastLines(resource.output(), 10))}`);
        }
      } else {
        const { rps, p50, p99 } = outcome.result;
        log(`  ${Math.round(rps)} req/s, p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
      }
    }
  } finally {
    await runCleanups(groupCleanups);
    cleanupRegistry.delete(groupCleanups);
  }

  const baseline = outcomes.find(({ scenario }) => scenario.baseline);
  const baselineRps = baseline?.outcome.result?.rps;
  const withCpu = outcomes.some(({ outcome }) => outcome.result?.serverCpuUs !== undefined);
  const rows = outcomes.map(({ scenario, outcome }) => tableRow(scenario, outcome, baselineRps, withCpu));
  const failures = outcomes
    .map(({ scenario, outcome }) => {
      const failure = describeFailure(outcome);
      return failure && `${scenario.name}: ${failure}`;
    })
    .filter(Boolean);
  const findings = outcomes.flatMap(({ scenario, outcome }) => (outcome.findings ?? []).map((finding) => `${scenario.name}: ${finding}`));
  return { table: markdownTable(rows, baseline && (baseline.scenario.label ?? baseline.scenario.name), withCpu), failures, findings };
}

/** One request before the load, so a broken route is named clearly instead of hidden in a count. */
async function preflight(target) {
  const response = await fetch(target.url, { method: target.method ?? 'GET', headers: target.headers, body: target.body });
  const text = await response.text();
  if (response.status < 200 || response.status > 299) {
    log(`  warning: ${target.method ?? 'GET'} ${new URL(target.url).pathname} answered ${response.status} before the load: ${text.slice(0, 200)}`);
  }
}

function describeFailure(outcome) {
  if (outcome.error) return outcome.error.message.split('\n')[0];
  const { errors, non2xx, requests } = outcome.result;
  const problems = [];
  if (requests === 0) problems.push('no responses');
  if (errors > 0) problems.push(`${errors} errors (${outcome.result.timeouts} timeouts)`);
  if (non2xx > 0) {
    const codes = Object.entries(outcome.result.statusCodes).filter(([code]) => !code.startsWith('2'));
    problems.push(`${non2xx} non-2xx responses (${codes.map(([code, count]) => `${code}×${count}`).join(', ')})`);
  }
  return problems.join(', ');
}

async function runCleanups(cleanups) {
  while (cleanups.length) {
    const cleanup = cleanups.pop();
    await cleanup().catch((error) => log(`  cleanup failed: ${error.message}`));
  }
}

function lastLines(text, count) {
  return text.split('\n').slice(-count).join('\n');
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function log(message) {
  console.error(message);
}

module.exports = { runGroup, runCleanups };
