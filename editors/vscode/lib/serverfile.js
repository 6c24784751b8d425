// @ts-check
'use strict';
/**
 * Finding a running livemidi session: the server file (docs/editors.md, "Where the server is").
 *
 * The lookup order is the one every client follows, so that VS Code finds the
 * session that `livemidi send --where` names: $LIVEMIDI_SERVER_FILE, then the
 * platform's runtime directory. Reading the file checks what it holds before
 * anything trusts it: a file of another protocol, or one whose process is gone,
 * is reported as such, never connected to blindly (a stale file would
 * otherwise send the performer's code to whoever took the port since).
 *
 * No `vscode` here: node's test runner tests this against the real server.
 */

const fs = require('fs');
const os = require('os');
const path = require('path');

const PROTOCOL = 1;

/** No session is running (no file, a stale file, nothing answering): the user should start one. */
class NoSessionError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'NoSessionError';
  }
}

/** The server file exists but cannot be used (not JSON, a field missing, another protocol). */
class ServerFileError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ServerFileError';
  }
}

const HOW_TO_START =
  'start one with `livemidi` (the REPL), `livemidi run FILE.py` or `%load_ext livemidi` in Jupyter';

/**
 * The path of the server file, in the documented lookup order.
 * @param {{env?: NodeJS.ProcessEnv, platform?: string, uid?: number, tmpdir?: string}} [where]
 * @returns {string}
 */
function serverFilePath(where = {}) {
  const env = where.env || process.env;
  const platform = where.platform || process.platform;
  if (env.LIVEMIDI_SERVER_FILE) {
    return env.LIVEMIDI_SERVER_FILE;
  }
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA || path.win32.join(os.homedir(), 'AppData', 'Local');
    return path.win32.join(base, 'livemidi', 'server.json');
  }
  if (platform === 'darwin') {
    const base = env.TMPDIR || where.tmpdir || os.tmpdir();
    return path.posix.join(base, 'livemidi', 'server.json');
  }
  if (env.XDG_RUNTIME_DIR) {
    return path.posix.join(env.XDG_RUNTIME_DIR, 'livemidi', 'server.json');
  }
  const uid = where.uid !== undefined ? where.uid : process.getuid ? process.getuid() : 0;
  return path.posix.join('/tmp', `livemidi-${uid}`, 'server.json');
}

/**
 * @typedef {object} ServerInfo
 * @property {number} protocol
 * @property {string} host
 * @property {number} port
 * @property {string} token
 * @property {number|null} pid
 * @property {string} session
 * @property {string} livemidi
 * @property {string} file  the server file it was read from
 */

/**
 * Is the process `pid` alive? (A pid we may not signal is alive: it is someone's.)
 * @param {number} pid
 */
function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * Read and check the server file.
 * @param {string} [file] default: `serverFilePath()`
 * @returns {ServerInfo}
 * @throws {NoSessionError} no file, or its process is gone
 * @throws {ServerFileError} a file that is not a livemidi server file of protocol 1
 */
function readServerFile(file) {
  const where = file || serverFilePath();
  let text;
  try {
    text = fs.readFileSync(where, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') {
      throw new NoSessionError(`no running livemidi session (no server file at ${where}): ${HOW_TO_START}`);
    }
    throw new ServerFileError(`cannot read the livemidi server file ${where}: ${/** @type {Error} */ (error).message}`);
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ServerFileError(`the livemidi server file ${where} should hold a JSON object, found: ${text.slice(0, 80)}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ServerFileError(`the livemidi server file ${where} should hold a JSON object, found: ${text.slice(0, 80)}`);
  }
  if (data.protocol !== PROTOCOL) {
    throw new ServerFileError(
      `the session in ${where} speaks protocol ${JSON.stringify(data.protocol)}; this extension speaks ${PROTOCOL}: ` +
        'update the extension or livemidi so that they match',
    );
  }
  /** @type {[string, string][]} */
  const fields = [['host', 'string'], ['port', 'number'], ['token', 'string']];
  for (const [name, type] of fields) {
    if (typeof data[name] !== type) {
      throw new ServerFileError(
        `the livemidi server file ${where} should have "${name}" (a ${type}), found ${JSON.stringify(data[name])}`,
      );
    }
  }
  const pid = Number.isInteger(data.pid) ? data.pid : null;
  if (pid !== null && pid > 0 && !processAlive(pid)) {
    throw new NoSessionError(
      `no running livemidi session: the server file ${where} is left from process ${pid}, which has ended; ${HOW_TO_START}`,
    );
  }
  return {
    protocol: data.protocol,
    host: data.host,
    port: data.port,
    token: data.token,
    pid,
    session: typeof data.session === 'string' ? data.session : 'unknown',
    livemidi: typeof data.livemidi === 'string' ? data.livemidi : 'unknown',
    file: where,
  };
}

module.exports = { NoSessionError, ServerFileError, PROTOCOL, HOW_TO_START, serverFilePath, readServerFile };
