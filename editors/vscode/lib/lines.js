// @ts-check
'use strict';
/**
 * JSON lines: one UTF-8 JSON object per line, each way (docs/editors.md, "Messages").
 *
 * TCP hands over bytes in whatever pieces it likes: a line can be split
 * anywhere, even inside a multi-byte character, and one read can hold many
 * lines. `LineReader` reassembles them; a decoder that split on chunks would
 * corrupt a note name like "é" or lose half an answer under load. A line
 * longer than the limit is an error (the server refuses lines over 1 MiB and
 * never sends one), not a buffer that grows without end.
 *
 * No `vscode` here: node's test runner tests this.
 */

const { StringDecoder } = require('string_decoder');

const MAX_LINE = 16 * 1024 * 1024; // characters; what we accept from the server (a long traceback, many loops)

class LineTooLongError extends Error {
  /** @param {number} limit */
  constructor(limit) {
    super(`a line from the livemidi server was longer than ${limit} characters without a newline`);
    this.name = 'LineTooLongError';
  }
}

class LineReader {
  /** @param {number} [limit] */
  constructor(limit = MAX_LINE) {
    this.limit = limit;
    this.decoder = new StringDecoder('utf8');
    this.pending = '';
  }

  /**
   * Feed bytes; returns the complete lines they finish (without the newline), in order.
   * @param {Buffer} chunk
   * @returns {string[]}
   */
  push(chunk) {
    const text = this.pending + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.pending = /** @type {string} */ (parts.pop());
    if (this.pending.length > this.limit) {
      this.pending = '';
      throw new LineTooLongError(this.limit);
    }
    return parts.filter((line) => line.trim() !== '');
  }
}

/**
 * One request or answer as a line: compact JSON and a newline (JSON never holds a raw newline).
 * @param {object} message
 * @returns {string}
 */
function encodeLine(message) {
  return JSON.stringify(message) + '\n';
}

module.exports = { LineReader, LineTooLongError, encodeLine, MAX_LINE };
