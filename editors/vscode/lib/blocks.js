// @ts-check
'use strict';
/**
 * Which code a command sends: the selection, the current line, or the block (paragraph) around
 * the cursor.
 *
 * A block is what a performer sees as one: lines separated from the rest by
 * blank lines. Python code keeps blank lines inside a `def` or a `for`,
 * though, and sending half of one is a syntax error; so a blank line ends a
 * block only where the next code is not indented (a block's last statement
 * goes on while its lines are indented), and a block never starts on an
 * indented line when there is code above it.
 *
 * Lines are 0-based here, as in VS Code; the eval server wants the 1-based line
 * of the block's first line (`Block.line`) so that its tracebacks point at the
 * file's lines.
 *
 * No `vscode` here: node's test runner tests this.
 */

/**
 * @typedef {object} Block
 * @property {number} start        first line (0-based)
 * @property {number} end          last line (0-based, inclusive)
 * @property {number} startColumn  where the code starts on the first line (0 but for a selection)
 * @property {number} endColumn    where it ends on the last line (exclusive)
 * @property {string} code
 * @property {number} line         the first line, 1-based (the eval's `line`)
 */

/** @param {string} text */
function isBlank(text) {
  return text.trim() === '';
}

/** @param {string} text */
function isIndented(text) {
  return /^\s/.test(text) && !isBlank(text);
}

/**
 * @param {string[]} lines
 * @param {number} start
 * @param {number} end
 * @returns {Block}
 */
function wholeLines(lines, start, end) {
  return {
    start,
    end,
    startColumn: 0,
    endColumn: lines[end].length,
    code: lines.slice(start, end + 1).join('\n'),
    line: start + 1,
  };
}

/**
 * The current line, or null when it is blank.
 * @param {string[]} lines
 * @param {number} line  0-based
 * @returns {Block|null}
 */
function lineBlock(lines, line) {
  checkLine(lines, line);
  return isBlank(lines[line]) ? null : wholeLines(lines, line, line);
}

/**
 * The block around `line`: from the cursor, up and down to blank lines (see the module's note on
 * indented lines). On a blank line, the block above it (or, at the top, the one below). Null when
 * the file holds no code.
 * @param {string[]} lines
 * @param {number} line  0-based
 * @returns {Block|null}
 */
function paragraphBlock(lines, line) {
  checkLine(lines, line);
  let at = line;
  if (isBlank(lines[at])) {
    let up = at;
    while (up >= 0 && isBlank(lines[up])) up -= 1;
    if (up >= 0) {
      at = up;
    } else {
      let down = at;
      while (down < lines.length && isBlank(lines[down])) down += 1;
      if (down >= lines.length) return null;
      at = down;
    }
  }
  let start = at;
  for (;;) {
    while (start > 0 && !isBlank(lines[start - 1])) start -= 1;
    if (!isIndented(lines[start])) break;
    let above = start - 1;
    while (above >= 0 && isBlank(lines[above])) above -= 1;
    if (above < 0) break;
    start = above;
  }
  let end = at;
  for (;;) {
    while (end < lines.length - 1 && !isBlank(lines[end + 1])) end += 1;
    let below = end + 1;
    while (below < lines.length && isBlank(lines[below])) below += 1;
    if (below >= lines.length || !isIndented(lines[below])) break;
    end = below;
  }
  return wholeLines(lines, start, end);
}

/**
 * The selected text, or null for an empty selection. A selection that ends at the start of a line
 * (a selection of whole lines, as the editor makes it) ends with the line before.
 * @param {string[]} lines
 * @param {{startLine: number, startCharacter: number, endLine: number, endCharacter: number}} selection
 * @returns {Block|null}
 */
function selectionBlock(lines, selection) {
  let { startLine, startCharacter, endLine, endCharacter } = selection;
  checkLine(lines, startLine);
  checkLine(lines, endLine);
  if (endLine < startLine || (endLine === startLine && endCharacter <= startCharacter)) {
    return null;
  }
  if (endCharacter === 0 && endLine > startLine) {
    endLine -= 1;
    endCharacter = lines[endLine].length;
  }
  const parts = lines.slice(startLine, endLine + 1);
  parts[parts.length - 1] = parts[parts.length - 1].slice(0, endCharacter);
  parts[0] = parts[0].slice(startCharacter);
  const code = parts.join('\n');
  if (isBlank(code)) {
    return null;
  }
  return { start: startLine, end: endLine, startColumn: startCharacter, endColumn: endCharacter, code, line: startLine + 1 };
}

/**
 * @param {string[]} lines
 * @param {number} line
 */
function checkLine(lines, line) {
  if (!Number.isInteger(line) || line < 0 || line >= lines.length) {
    throw new RangeError(`expected a line from 0 to ${lines.length - 1}, got ${line}`);
  }
}

/**
 * A document's text as lines (\n or \r\n).
 * @param {string} text
 */
function splitLines(text) {
  return text.split(/\r?\n/);
}

module.exports = { lineBlock, paragraphBlock, selectionBlock, splitLines };
