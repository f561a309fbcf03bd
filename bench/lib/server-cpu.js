'use strict';

const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

let ticksPerSecond;

/**
 * CPU time (user + system, all threads) a process and its direct children have used so far, in
 * microseconds, from /proc/<pid>/stat; undefined where there is no /proc. Taken around a measured run it gives the
 * server's own CPU per response, which, unlike req/s, does not depend on how much of the shared
 * cores the load generator took.
 */
function cpuMicros(pid) {
  const own = processCpuMicros(pid);
  if (own === undefined) return undefined;
  // A supervisor (API_PROCESSES > 1) serves through its child processes: their CPU counts too.
  return childPids(pid).reduce((sum, child) => sum + (processCpuMicros(child) ?? 0), own);
}

function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function processCpuMicros(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
}

/**
 * Write system calls (write, writev: every socket write to clients, PostgreSQL and Redis) a
 * process and its direct children have made so far, from /proc/<pid>/io; undefined where there
 * is none. Per response it counts how many round trips and writes a request costs, which, unlike
 * CPU time, does not change with how loaded the machine is.
 */
function writeSyscalls(pid) {
  const own = processWriteSyscalls(pid);
  if (own === undefined) return undefined;
  return childPids(pid).reduce((sum, child) => sum + (processWriteSyscalls(child) ?? 0), own);
}

function processWriteSyscalls(pid) {
  try {
    const match = /^syscw:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Busy CPU time of the whole machine so far (all cores), in microseconds, from /proc/stat. */
function machineBusyMicros() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ((user + nice + system + irq + softirq + steal) / ticksPerSecond) * 1e6;
}

module.exports = { cpuMicros, machineBusyMicros, writeSyscalls };
