'use strict';
// A live livemidi session for the tests: the one $LIVEMIDI_SERVER_FILE names (the repository's
// pytest starts it, playing into a JACK input), or one started here with `livemidi run`.

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { readServerFile } = require('../lib/serverfile');

const REPO = path.resolve(__dirname, '..', '..', '..');

function python() {
  if (process.env.LIVEMIDI_PYTHON) return process.env.LIVEMIDI_PYTHON;
  const venv = path.join(REPO, '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/** A recording Ui: every call, in order, for the assertions. */
function recordingUi(shows = () => true) {
  const calls = [];
  const ui = {
    calls,
    diagnostics: [],
    setDiagnostics(list) {
      ui.diagnostics = list;
      calls.push(['setDiagnostics', list]);
    },
    decorate: (source, kind, spans) => calls.push(['decorate', source, kind, spans]),
    info: (text) => calls.push(['info', text]),
    status: (text) => calls.push(['status', text]),
    error: (text) => calls.push(['error', text]),
    output: (text) => calls.push(['output', text]),
    shows,
    of: (kind) => calls.filter((call) => call[0] === kind),
  };
  return ui;
}

/**
 * The session to test against: {serverFile, stop()}, or {skip: why} when none can be had.
 * `own`: start one here even when $LIVEMIDI_SERVER_FILE names one; `serverFile`: where it writes it.
 * @param {{own?: boolean, serverFile?: string}} [options]
 * @returns {Promise<{serverFile: string, stop: () => Promise<void>} | {skip: string}>}
 */
async function liveSession(options = {}) {
  if (process.env.LIVEMIDI_SERVER_FILE && !options.own) {
    return { serverFile: process.env.LIVEMIDI_SERVER_FILE, stop: async () => {} };
  }
  const exe = python();
  const probe = spawnSync(exe, ['-c', 'import livemidi.evalserver'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return { skip: `no livemidi with an eval server for ${exe} (set LIVEMIDI_PYTHON): ${(probe.stderr || probe.error || '').toString().trim().split('\n').pop()}` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livemidi-vscode-'));
  const serverFile = options.serverFile || path.join(dir, 'server.json');
  const pattern = path.join(dir, 'idle.py');
  fs.writeFileSync(pattern, '# nothing plays until the tests send code\n');
  const env = { ...process.env, LIVEMIDI_SERVER_FILE: serverFile, LIVEMIDI_CONFIG: path.join(dir, 'config.json') };
  const child = spawn(exe, ['-m', 'livemidi', 'run', pattern, '--eval-port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { skip: `livemidi run ended at once: ${log.trim()}` };
    try {
      if (readServerFile(serverFile).pid === child.pid) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  if (!fs.existsSync(serverFile) || readServerFile(serverFile).pid !== child.pid) {
    child.kill('SIGTERM');
    throw new Error(`livemidi run wrote no server file within 30 s: ${log}`);
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { serverFile, stop };
}

/** Wait until `predicate()` is true, or fail after `ms`. */
async function waitFor(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

module.exports = { liveSession, recordingUi, waitFor, python, REPO };
