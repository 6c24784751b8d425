// @ts-check
'use strict';
/**
 * A client of the livemidi eval server: one TCP connection, requests matched to answers by id,
 * pushed events handed to listeners (docs/editors.md, "Messages").
 *
 * Answers carry the request's `id`; events (after `subscribe`) carry `event`
 * and no id, interleaved with answers on the same connection. Every request
 * gets the token. A request whose connection closes before its answer is
 * rejected with `ConnectionLostError`, never left waiting: an editor command
 * must not hang because the session was quit.
 *
 * The server runs one connection's requests in order, so a `hush` sent on the
 * connection of a running eval would wait behind it: callers that need to
 * interrupt use a second connection (the Controller keeps one for evals, one for
 * control and one for events).
 *
 * No `vscode` here: node's test runner tests this against the real server.
 */

const net = require('net');
const { LineReader, encodeLine } = require('./lines');
const { NoSessionError, readServerFile, HOW_TO_START } = require('./serverfile');

class ConnectionLostError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

class TimeoutError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * @typedef {{id?: any, ok: boolean, error?: {kind: string, message: string, type?: string,
 *   file?: string|null, line?: number|null, column?: number|null, traceback?: string}, [key: string]: any}} Answer
 * @typedef {{event: string, [key: string]: any}} Event
 */

class Client {
  /**
   * @param {net.Socket} socket  a connected socket
   * @param {string} token
   * @param {string} where  "host:port", for messages
   */
  constructor(socket, token, where) {
    this.socket = socket;
    this.token = token;
    this.where = where;
    this.nextId = 1;
    /** @type {Map<any, {resolve: (a: Answer) => void, reject: (e: Error) => void, timer: NodeJS.Timeout|null}>} */
    this.pending = new Map();
    /** @type {((event: Event) => void)[]} */
    this.eventListeners = [];
    /** @type {((error: Error|null) => void)[]} */
    this.closeListeners = [];
    this.closed = false;
    /** @type {Error|null} */
    this.closeReason = null;
    const reader = new LineReader();
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      let lines;
      try {
        lines = reader.push(chunk);
      } catch (error) {
        this._close(/** @type {Error} */ (error));
        return;
      }
      for (const line of lines) {
        this._receive(line);
      }
    });
    socket.on('error', (error) => this._close(error));
    socket.on('close', () => this._close(null));
  }

  /**
   * Connect to host:port.
   * @param {{host: string, port: number, token: string}} info
   * @param {{timeoutMs?: number}} [options]
   * @returns {Promise<Client>}
   */
  static connect(info, options = {}) {
    const timeoutMs = options.timeoutMs === undefined ? 3000 : options.timeoutMs;
    const where = `${info.host}:${info.port}`;
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host: info.host, port: info.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`the livemidi session at ${where} did not accept a connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new Client(socket, info.token, where));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /**
   * Send one request; resolves with its answer (ok or not), rejects if the connection ends first.
   * @param {string} op
   * @param {object} [fields]
   * @param {{timeoutMs?: number}} [options]  no timeout by default (an eval may run long)
   * @returns {Promise<Answer>}
   */
  request(op, fields = {}, options = {}) {
    if (this.closed) {
      return Promise.reject(new ConnectionLostError(this._lostMessage()));
    }
    const id = this.nextId++;
    const message = { ...fields, id, token: this.token, protocol: 1, op };
    return new Promise((resolve, reject) => {
      let timer = null;
      if (options.timeoutMs) {
        timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new TimeoutError(`the livemidi session did not answer "${op}" within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(encodeLine(message));
    });
  }

  /** @param {(event: Event) => void} listener */
  onEvent(listener) {
    this.eventListeners.push(listener);
  }

  /** @param {(error: Error|null) => void} listener  told once when the connection ends */
  onClose(listener) {
    this.closeListeners.push(listener);
  }

  close() {
    this.socket.end();
    this.socket.destroy();
    this._close(null);
  }

  /** @param {string} line */
  _receive(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch (error) {
      this._close(new Error(`the livemidi server sent a line that is not JSON: ${line.slice(0, 80)}`));
      return;
    }
    if (message === null || typeof message !== 'object') {
      return;
    }
    if (typeof message.event === 'string' && !('id' in message)) {
      for (const listener of this.eventListeners) {
        listener(message);
      }
      return;
    }
    const waiting = this.pending.get(message.id);
    if (waiting === undefined) {
      return; // an answer to a request that timed out
    }
    this.pending.delete(message.id);
    if (waiting.timer) {
      clearTimeout(waiting.timer);
    }
    waiting.resolve(message);
  }

  _lostMessage() {
    const why = this.closeReason ? `: ${this.closeReason.message}` : '';
    return `the connection to the livemidi session at ${this.where} was closed${why}`;
  }

  /** @param {Error|null} reason */
  _close(reason) {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.closeReason = reason;
    this.socket.destroy();
    const lost = new ConnectionLostError(this._lostMessage());
    for (const waiting of this.pending.values()) {
      if (waiting.timer) {
        clearTimeout(waiting.timer);
      }
      waiting.reject(lost);
    }
    this.pending.clear();
    for (const listener of this.closeListeners) {
      listener(reason);
    }
  }
}

/**
 * Read the server file and connect to the session it names.
 * @param {{serverFile?: string, timeoutMs?: number}} [options]
 * @returns {Promise<Client>}
 * @throws {NoSessionError} no file, a stale file, or nothing answering at its address
 */
async function connectSession(options = {}) {
  const info = readServerFile(options.serverFile);
  try {
    return await Client.connect(info, { timeoutMs: options.timeoutMs });
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
      throw new NoSessionError(
        `no running livemidi session: nothing answers at ${info.host}:${info.port} (the server file ` +
          `${info.file} is stale); ${HOW_TO_START}`,
      );
    }
    throw error;
  }
}

module.exports = { Client, ConnectionLostError, TimeoutError, connectSession };
