#!/usr/bin/env node
'use strict';
// CI's dependency audit: `npm audit --omit=dev` fails the run on a high or critical advisory in a
// production dependency. A registry that cannot audit (mirrors often answer the bulk advisory
// endpoint with 405 or 404) is reported as a warning, not as a pass and not as a finding.
//
//   node .ci/audit.js              audits this checkout
//   node .ci/audit.js --self-test  checks the verdicts against the saved answers in audit-samples/
const { spawnSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const FAILING_SEVERITIES = ['high', 'critical'];

/** { verdict: 'pass' | 'fail' | 'unavailable', message } for the JSON `npm audit --json` printed. */
function auditVerdict(output) {
  let report;
  try {
    report = JSON.parse(output);
  } catch {
    return { verdict: 'unavailable', message: 'npm audit printed no JSON report' };
  }
  const counts = report?.metadata?.vulnerabilities;
  if (!counts) {
    const reason = report?.message ?? report?.error?.summary ?? 'no vulnerability counts in the report';
    return { verdict: 'unavailable', message: `the registry could not audit: ${reason}` };
  }
  const failing = FAILING_SEVERITIES.reduce((sum, severity) => sum + (counts[severity] ?? 0), 0);
  if (failing > 0) {
    const names = Object.entries(report.vulnerabilities ?? {})
      .filter(([, advisory]) => FAILING_SEVERITIES.includes(advisory.severity))
      .map(([name, advisory]) => `${name} (${advisory.severity})`);
    return { verdict: 'fail', message: `${failing} high or critical advisories in production dependencies: ${names.join(', ')}` };
  }
  return { verdict: 'pass', message: `no high or critical advisories (${counts.total ?? 0} in all)` };
}

function selfTest() {
  const directory = join(__dirname, 'audit-samples');
  let failures = 0;
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.json'))) {
    const expected = file.split('.')[0];
    const { verdict } = auditVerdict(readFileSync(join(directory, file), 'utf8'));
    if (verdict !== expected) {
      failures += 1;
      console.error(`audit self-test: ${file} gave "${verdict}", expected "${expected}"`);
    }
  }
  if (failures > 0) process.exit(1);
  console.log('audit self-test: every saved answer gets its verdict');
}

function audit() {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const { verdict, message } = auditVerdict(run.stdout);
  if (verdict === 'fail') {
    console.error(`npm audit: ${message}`);
    process.exit(1);
  }
  console.log(verdict === 'pass' ? `npm audit: ${message}` : `WARNING npm audit: ${message}; dependencies were NOT audited`);
}

if (process.argv.includes('--self-test')) selfTest();
else audit();
