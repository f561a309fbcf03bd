'use strict';

const { execFileSync } = require('node:child_process');
const os = require('node:os');
const { join } = require('node:path');

const REPO_ROOT = join(__dirname, '..', '..');

/** What the numbers were measured on: they mean little without it. */
function describeMachine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    memoryGiB: (os.totalmem() / 1024 ** 3).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    autocannon: packageVersion('autocannon'),
    fastify: packageVersion('fastify'),
    commit: gitCommit(),
  };
}

function packageVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return 'unknown';
  }
}

/** The commit measured, flagged when the working tree differs from it. Read-only git calls. */
function gitCommit() {
  const git = (...args) =>
    execFileSync('git', ['--no-optional-locks', ...args], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${commit} + uncommitted changes` : commit;
  } catch {
    return 'unknown';
  }
}

module.exports = { describeMachine };
