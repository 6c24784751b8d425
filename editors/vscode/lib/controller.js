// @ts-check
'use strict';
/**
 * The extension's commands, without VS Code: what to send, where answers and events go.
 *
 * The VS Code glue (extension.js) turns the editor's state into plain values
 * (a document's source name and lines, a selection) and implements a small
 * `Ui` (diagnostics, decorations, messages); everything else happens here, so
 * node's test runner drives the very commands a key press runs, against a real
 * session, with a `Ui` that records what it is told.
 *
 * Three connections, made when first needed and made again after a session
 * restarts (the server file is read anew each time, since a new session has a
 * new token and maybe a new port): one for evals, one for control (hush, panic,
 * stop, status), one for events. The server answers one connection's requests
 * in order, so a hush on the eval connection would wait behind the very eval
 * it should interrupt.
 *
 * Diagnostics show the last eval's error only: an eval that works clears them,
 * as the REPL's next prompt leaves the last traceback behind.
 */

const { connectSession } = require('./client');
const { paragraphBlock, lineBlock, selectionBlock } = require('./blocks');
const { errorDiagnostic, describeError } = require('./diagnostics');
const { Highlighter } = require('./highlights');
const { formatStatus } = require('./status');

const CONTROL_TIMEOUT_MS = 5000;

/**
 * What the editor does for the controller. Sources are the names sent as `source` (a file's path).
 * @typedef {object} Ui
 * @property {(diagnostics: import('./diagnostics').Diagnostic[]) => void} setDiagnostics  replaces every livemidi diagnostic
 * @property {(source: string, kind: 'flash'|'sounding', spans: import('./highlights').Span[]) => void} decorate
 *   replaces the spans of that kind in that source
 * @property {(text: string) => void} info     a message the user asked for (the status)
 * @property {(text: string) => void} status   a passing message (hushed, nothing to send)
 * @property {(text: string) => void} error    an error message
 * @property {(text: string) => void} output   text for the output log (what the code printed, tracebacks, notices)
 * @property {(source: string) => boolean} [shows]  is this source open (worth highlighting)?
 */

/**
 * @typedef {object} Document
 * @property {string} source  the path sent as `source` (a name for an unsaved document)
 * @property {string[]} lines
 */

class Controller {
  /**
   * @param {object} options
   * @param {Ui} options.ui
   * @param {() => (string|undefined)} [options.serverFile]  a path that overrides the lookup (a setting)
   * @param {() => boolean} [options.highlightSteps]  light sounding steps? (a setting; default true)
   * @param {() => number} [options.flashMs]  how long the evaluated block stays lit (default 200)
   * @param {(fn: () => void, ms: number) => any} [options.setTimer]
   * @param {(handle: any) => void} [options.clearTimer]
   */
  constructor(options) {
    this.ui = options.ui;
    this.serverFile = options.serverFile || (() => undefined);
    this.highlightSteps = options.highlightSteps || (() => true);
    this.flashMs = options.flashMs || (() => 200);
    this.setTimer = options.setTimer || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer || ((handle) => clearTimeout(handle));
    /** @type {{[kind: string]: Promise<import('./client').Client> | undefined}} */
    this.clients = {};
    /** @type {string|null} which events the event connection asked for ("play,notice", "notice") */
    this.subscribed = null;
    this.highlighter = new Highlighter({
      render: (source, spans) => this.ui.decorate(source, 'sounding', spans),
      accept: (source) => (this.ui.shows ? this.ui.shows(source) : true),
      setTimer: this.setTimer,
      clearTimer: this.clearTimer,
    });
    /** @type {Map<string, any>} */
    this.flashes = new Map();
  }

  /**
   * `livemidi.eval`: the selection, or the cursor's line when nothing is selected.
   * @param {Document} doc
   * @param {{startLine: number, startCharacter: number, endLine: number, endCharacter: number}} selection
   */
  evalSelection(doc, selection) {
    const block = selectionBlock(doc.lines, selection) || lineBlock(doc.lines, selection.startLine);
    return this.evalBlockOf(doc, block);
  }

  /**
   * `livemidi.evalBlock`: the block (paragraph) around the cursor's line.
   * @param {Document} doc
   * @param {number} line  0-based
   */
  evalBlock(doc, line) {
    return this.evalBlockOf(doc, paragraphBlock(doc.lines, line));
  }

  /**
   * Send one block; flash it; show the answer. Resolves with the answer (null if nothing was sent).
   * @param {Document} doc
   * @param {import('./blocks').Block|null} block
   */
  async evalBlockOf(doc, block) {
    if (block === null) {
      this.ui.status('livemidi: nothing to send here (the line is blank)');
      return null;
    }
    this._flash(doc, block);
    const answer = await this._request('eval', 'eval', { code: block.code, source: doc.source, line: block.line });
    if (answer === null) {
      return null;
    }
    if (answer.ok) {
      this.ui.setDiagnostics([]);
      this.ui.status(`livemidi: ran line ${block.line}${block.end > block.start ? `-${block.end + 1}` : ''}`);
      if (answer.output) this.ui.output(answer.output.replace(/\n$/, ''));
      if (answer.value !== null && answer.value !== undefined) this.ui.output(String(answer.value));
      return answer;
    }
    const diagnostic = errorDiagnostic(answer.error, { source: doc.source, start: block.start, lines: doc.lines });
    if (diagnostic) {
      this.ui.setDiagnostics([diagnostic]);
      this.ui.output(diagnostic.traceback || diagnostic.message);
    }
    this.ui.error(describeError(answer.error));
    return answer;
  }

  hush() {
    return this._control('hush', 'livemidi: hushed');
  }

  panic() {
    return this._control('panic', 'livemidi: all notes off');
  }

  stop() {
    return this._control('stop', 'livemidi: stopped');
  }

  /** `livemidi.status`: one line (tempo, bar, loops) as a message. */
  async status() {
    const answer = await this._request('control', 'status', {}, CONTROL_TIMEOUT_MS);
    if (answer === null) return null;
    if (answer.ok) {
      this.ui.info(formatStatus(/** @type {any} */ (answer)));
    } else {
      this.ui.error(describeError(answer.error));
    }
    return answer;
  }

  /**
   * Turn highlighting on or off at once (the glue calls this when the setting changes).
   * @returns {Promise<void>}
   */
  async settingsChanged() {
    if (!this.highlightSteps()) this.highlighter.clear();
    if (this.subscribed !== null) await this._subscribe();
  }

  dispose() {
    this.highlighter.clear();
    for (const handle of this.flashes.values()) this.clearTimer(handle);
    this.flashes.clear();
    for (const kind of Object.keys(this.clients)) this._drop(kind);
  }

  /**
   * @param {string} op
   * @param {string} done  the message when it worked
   */
  async _control(op, done) {
    const answer = await this._request('control', op, {}, CONTROL_TIMEOUT_MS);
    if (answer === null) return null;
    if (answer.ok) {
      this.highlighter.clear();
      this.ui.status(done);
    } else {
      this.ui.error(describeError(answer.error));
    }
    return answer;
  }

  /**
   * One request on the connection of `kind`; null (and an error shown) when there is no session.
   * @param {string} kind
   * @param {string} op
   * @param {object} fields
   * @param {number} [timeoutMs]
   */
  async _request(kind, op, fields, timeoutMs) {
    let client;
    try {
      client = await this._client(kind);
    } catch (error) {
      this.ui.error(`livemidi: ${/** @type {Error} */ (error).message}`);
      return null;
    }
    this._subscribe().catch((error) => this.ui.output(`livemidi: no event stream: ${error.message}`));
    try {
      return await client.request(op, fields, { timeoutMs });
    } catch (error) {
      this._drop(kind);
      this.ui.error(`livemidi: ${/** @type {Error} */ (error).message}`);
      return null;
    }
  }

  /** @param {string} kind */
  _client(kind) {
    let pending = this.clients[kind];
    if (pending === undefined) {
      pending = connectSession({ serverFile: this.serverFile() }).then((client) => {
        client.onClose(() => {
          if (this.clients[kind] === pending) this._drop(kind);
        });
        return client;
      });
      pending.catch(() => {
        if (this.clients[kind] === pending) delete this.clients[kind];
      });
      this.clients[kind] = pending;
    }
    return pending;
  }

  /** @param {string} kind */
  _drop(kind) {
    const pending = this.clients[kind];
    delete this.clients[kind];
    if (kind === 'events') {
      this.subscribed = null;
      this.highlighter.clear();
    }
    if (pending) pending.then((client) => client.close(), () => {});
  }

  /** Subscribe (again) on the event connection with the events the settings ask for. */
  async _subscribe() {
    const events = this.highlightSteps() ? ['play', 'notice'] : ['notice'];
    if (this.subscribed === events.join(',')) return;
    if (this.subscribed !== null) this._drop('events');
    this.subscribed = events.join(',');
    try {
      const client = await this._client('events');
      if (!client.eventListeners.length) {
        client.onEvent((event) => {
          if (event.event === 'play') this.highlighter.onPlay(/** @type {any} */ (event));
          else if (event.event === 'notice') this.ui.output(`! ${event.text}`);
        });
      }
      const answer = await client.request('subscribe', { events }, { timeoutMs: CONTROL_TIMEOUT_MS });
      if (!answer.ok) throw new Error(describeError(answer.error));
    } catch (error) {
      this._drop('events');
      throw error;
    }
  }

  /**
   * Light the block now, and unlight it `flashMs` later (a new flash in the same source replaces it).
   * @param {Document} doc
   * @param {import('./blocks').Block} block
   */
  _flash(doc, block) {
    const source = doc.source;
    const spans = [];
    for (let line = block.start; line <= block.end; line += 1) {
      spans.push({
        line,
        startColumn: line === block.start ? block.startColumn : 0,
        endColumn: line === block.end ? block.endColumn : doc.lines[line].length,
      });
    }
    const previous = this.flashes.get(source);
    if (previous !== undefined) this.clearTimer(previous);
    this.ui.decorate(source, 'flash', spans);
    this.flashes.set(
      source,
      this.setTimer(() => {
        this.flashes.delete(source);
        this.ui.decorate(source, 'flash', []);
      }, this.flashMs()),
    );
  }
}

module.exports = { Controller };
