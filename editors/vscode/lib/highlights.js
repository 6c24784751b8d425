// @ts-check
'use strict';
/**
 * Sounding steps: from `play` events to highlighted source spans, on time.
 *
 * A play event says when its note sounds (`at` seconds after the line was
 * written: the lookahead ships events ~0.1 s early), for how long
 * (`duration`), and which mini-notation elements made it (`locations`). The
 * Highlighter starts a timer for `at`, shows the spans, and hides them
 * `duration` later. Two notes from one element can overlap (a long note and
 * its repeat), so spans are counted, not toggled: a span stays lit until the
 * last note that lit it ends. Renders are coalesced per source (a chord is
 * one redraw, not four) and the number of waiting timers is bounded, so a
 * flood of events costs the editor little: past the bound, events are
 * dropped, as the server drops events for a slow reader.
 *
 * Timers are injected (`setTimer`/`clearTimer`) so that tests can run them on
 * a virtual clock as well as the real one.
 *
 * No `vscode` here: node's test runner tests this.
 */

/**
 * @typedef {{line: number, startColumn: number, endColumn: number}} Span  0-based line, columns end-exclusive
 * @typedef {(source: string, spans: Span[]) => void} Render
 */

class Highlighter {
  /**
   * @param {object} options
   * @param {Render} options.render  called with every span now sounding in a source (an empty list: none)
   * @param {(source: string) => boolean} [options.accept]  which sources to highlight (e.g. open documents)
   * @param {(fn: () => void, ms: number) => any} [options.setTimer]
   * @param {(handle: any) => void} [options.clearTimer]
   * @param {number} [options.maxPending]  timers waiting at most; events past it are dropped
   */
  constructor(options) {
    this.render = options.render;
    this.accept = options.accept || (() => true);
    this.setTimer = options.setTimer || ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer || ((handle) => clearTimeout(handle));
    this.maxPending = options.maxPending === undefined ? 4000 : options.maxPending;
    /** @type {Map<string, Map<string, {span: Span, count: number}>>} */
    this.active = new Map();
    /** @type {Set<any>} */
    this.timers = new Set();
    /** @type {Set<string>} */
    this.dirty = new Set();
    this.flushTimer = null;
    this.dropped = 0;
  }

  /**
   * Schedule the spans of one `play` event.
   * @param {{at?: number, duration?: number, locations?: {source: string, line: number, column: number,
   *   end_column: number}[]}} event
   */
  onPlay(event) {
    const locations = (event.locations || []).filter(
      (where) => where && typeof where.source === 'string' && Number.isInteger(where.line) && this.accept(where.source),
    );
    if (locations.length === 0) {
      return;
    }
    if (this.timers.size + 2 > this.maxPending) {
      this.dropped += 1;
      return;
    }
    const at = Math.max(0, Number(event.at) || 0) * 1000;
    const duration = Math.max(0.01, Number(event.duration) || 0.1) * 1000;
    const spans = locations.map((where) => ({
      source: where.source,
      span: {
        line: where.line - 1,
        startColumn: where.column,
        endColumn: Math.max(where.end_column, where.column + 1),
      },
    }));
    this._after(at, () => {
      for (const { source, span } of spans) this._light(source, span, 1);
      this._after(duration, () => {
        for (const { source, span } of spans) this._light(source, span, -1);
      });
    });
  }

  /** Cancel every waiting highlight and unlight everything lit. */
  clear() {
    for (const handle of this.timers) this.clearTimer(handle);
    this.timers.clear();
    if (this.flushTimer !== null) {
      this.clearTimer(this.flushTimer);
      this.flushTimer = null;
    }
    const sources = [...this.active.keys()];
    this.active.clear();
    this.dirty.clear();
    for (const source of sources) this.render(source, []);
  }

  /** The spans lit now in `source` (for tests and status). @param {string} source @returns {Span[]} */
  lit(source) {
    const spans = this.active.get(source);
    return spans ? [...spans.values()].map((entry) => entry.span) : [];
  }

  /**
   * @param {number} ms
   * @param {() => void} fn
   */
  _after(ms, fn) {
    const handle = this.setTimer(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
  }

  /**
   * @param {string} source
   * @param {Span} span
   * @param {number} change  +1 lights, -1 unlights
   */
  _light(source, span, change) {
    let spans = this.active.get(source);
    if (!spans) {
      if (change < 0) return;
      spans = new Map();
      this.active.set(source, spans);
    }
    const key = `${span.line}:${span.startColumn}:${span.endColumn}`;
    const entry = spans.get(key);
    if (change > 0) {
      if (entry) {
        entry.count += 1;
        return;
      }
      spans.set(key, { span, count: 1 });
    } else {
      if (!entry) return;
      entry.count -= 1;
      if (entry.count > 0) return;
      spans.delete(key);
      if (spans.size === 0) this.active.delete(source);
    }
    this.dirty.add(source);
    if (this.flushTimer === null) {
      this.flushTimer = this.setTimer(() => this._flush(), 0);
    }
  }

  _flush() {
    this.flushTimer = null;
    const sources = [...this.dirty];
    this.dirty.clear();
    for (const source of sources) this.render(source, this.lit(source));
  }
}

module.exports = { Highlighter };
