// Runs one of dist's entry points as a child process that signals reach: SIGTERM or SIGINT sent
// to this launcher (or to `npm start` above it) is passed on, and the launcher exits with the
// app's exit code. Node cannot exec(), so forwarding is what lets an orchestrator or a terminal
// stop the app through npm.
const { spawn } = require('node:child_process');

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** Starts `entry`; resolves with its exit once it ends. `stop(signal)` forwards a signal. */
function startApp(entry, args = []) {
  const child = spawn(process.execPath, [...process.execArgv, entry, ...args], { stdio: 'inherit' });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `entry` until it exits, passing signals on, then exits the same way. */
function runAppForwardingSignals(entry, args = []) {
  const app = startApp(entry, args);
  for (const signal of FORWARDED) process.on(signal, () => void app.stop(signal));
  void app.exited.then(({ code, signal }) => {
    if (signal) {
      for (const forwarded of FORWARDED) process.removeAllListeners(forwarded);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

module.exports = { startApp, runAppForwardingSignals };
