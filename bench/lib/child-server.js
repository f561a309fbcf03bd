'use strict';

const { spawn } = require('node:child_process');
const net = require('node:net');

const OUTPUT_TAIL_LINES = 60;
/** All a child inherits from the runner's environment: the rest is set explicitly, for repeatable runs. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

/** A TCP port nothing listens on right now (the OS picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Node server in its own process (so it never shares an event loop with the load
 * generator) on a free port passed as PORT, and resolves once `readyPath` answers any HTTP
 * response. Rejects, with the child's last output, if it exits or does not answer in time.
 *
 * @returns {Promise<{name:string,url:string,port:number,pid:number,exited:()=>boolean,output:()=>string,stop:()=>Promise<void>}>}
 */
async function startChildServer({ name, script, args = [], env = {}, cwd, readyPath = '/', readyTimeoutMs = 60_000 }) {
  const port = await freePort();
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env: { ...inheritedEnv(), ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  // Kept in memory, not echoed: a scenario answering 4xx would otherwise flood the terminal.
  const tail = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line.length > 1000 ? `${line.slice(0, 1000)}…` : line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  let exitInfo;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  const output = () => (tail.length ? tail.join('\n') : '(no output)');
  const url = `http://127.0.0.1:${port}`;

  const server = {
    name,
    url,
    port,
    pid: child.pid,
    exited: () => exitInfo !== undefined,
    output,
    async stop(graceMs = 15_000) {
      if (exitInfo) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (true) {
    if (exitInfo) {
      throw new Error(`${name} exited during start-up (${describeExit(exitInfo)}). Its last output:\n${output()}`);
    }
    if (await answers(`${url}${readyPath}`)) return server;
    if (Date.now() > deadline) {
      await server.stop(2_000);
      throw new Error(`${name} did not answer ${readyPath} within ${readyTimeoutMs} ms. Its last output:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function inheritedEnv() {
  return Object.fromEntries(INHERITED_ENV.filter((key) => process.env[key] !== undefined).map((key) => [key, process.env[key]]));
}

/** Any HTTP response counts: the route being probed may not exist yet, the server does. */
async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

module.exports = { freePort, startChildServer };
