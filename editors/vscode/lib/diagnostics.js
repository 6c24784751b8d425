// @ts-check
'use strict';
/**
 * From an error answer to where the editor shows it.
 *
 * A `code` error (the code failed to compile, raised, or was refused by the
 * pre-flight trial) carries the user's file and 1-based line, mapped by the
 * server from the block's first line; it becomes a diagnostic on that line.
 * When the server could not map it (`line` null) the diagnostic goes on the
 * block's first line, so the error is never lost. Every other kind (auth,
 * request, protocol, interrupted) is about the connection or the command, not
 * a line of code: it is a message, not a diagnostic.
 *
 * No `vscode` here: node's test runner tests this.
 */

/**
 * @typedef {object} Diagnostic
 * @property {string} file        the path (or name) of the document it belongs to
 * @property {number} line        0-based
 * @property {number} startColumn 0-based
 * @property {number} endColumn   exclusive
 * @property {string} message     "Type: message"
 * @property {string} type        the exception's class name
 * @property {string} traceback   the performer's frames, as the REPL shows them
 */

/**
 * @param {{kind: string, message: string, type?: string, file?: string|null, line?: number|null,
 *   column?: number|null, traceback?: string}|undefined} error  an answer's `error`
 * @param {{source: string, start: number, lines?: string[]}} sent  what was sent: the source, the
 *   block's first line (0-based) and the document's lines (to underline the code on that line)
 * @returns {Diagnostic|null}  null for errors that are not about a line of code
 */
function errorDiagnostic(error, sent) {
  if (!error || error.kind !== 'code') {
    return null;
  }
  const file = error.file || sent.source;
  const line = Number.isInteger(error.line) && /** @type {number} */ (error.line) >= 1 ? /** @type {number} */ (error.line) - 1 : sent.start;
  const text = file === sent.source && sent.lines && line < sent.lines.length ? sent.lines[line] : null;
  const indent = text === null ? 0 : text.length - text.trimStart().length;
  let startColumn = Number.isInteger(error.column) ? /** @type {number} */ (error.column) : indent;
  let endColumn = text === null ? startColumn + 1 : text.trimEnd().length;
  if (endColumn <= startColumn) {
    endColumn = startColumn + 1;
  }
  const type = error.type || 'Error';
  return {
    file,
    line,
    startColumn,
    endColumn,
    message: `${type}: ${error.message}`,
    type,
    traceback: error.traceback || '',
  };
}

/**
 * A one-line message for an error that is not a diagnostic (or for any error, in a status bar).
 * @param {{kind: string, message: string, type?: string, file?: string|null, line?: number|null}|undefined} error
 * @returns {string}
 */
function describeError(error) {
  if (!error) {
    return 'livemidi: the session answered with an error that says nothing';
  }
  switch (error.kind) {
    case 'code': {
      const where = error.file ? `${error.file}:${error.line === null || error.line === undefined ? '?' : error.line}: ` : '';
      return `${where}${error.type || 'Error'}: ${error.message}`;
    }
    case 'interrupted':
      return `livemidi: the eval was interrupted (${error.message})`;
    case 'auth':
      return `livemidi: the session refused the token (${error.message}); was the session restarted? Try again.`;
    default:
      return `livemidi: ${error.kind} error: ${error.message}`;
  }
}

module.exports = { errorDiagnostic, describeError };
