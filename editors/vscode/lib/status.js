// @ts-check
'use strict';
/**
 * The session's state in one line, from a `status` answer: what `livemidi.status` shows.
 *
 * No `vscode` here: node's test runner tests this.
 */

/**
 * @param {{playing?: boolean, bpm?: number, bar?: number, beat?: number,
 *   loops?: {name: string, muted?: boolean}[], outputs?: string[]}} status
 * @returns {string}  e.g. "livemidi: playing at 120 BPM, bar 3 beat 2.5; loops: bass, drums (muted)"
 */
function formatStatus(status) {
  const bpm = typeof status.bpm === 'number' ? `${Number(status.bpm.toFixed(2))} BPM` : '? BPM';
  const state = status.playing ? `playing at ${bpm}` : `stopped (${bpm})`;
  const where = typeof status.bar === 'number' ? `, bar ${status.bar}` : '';
  const beat = typeof status.beat === 'number' ? ` beat ${Number(status.beat.toFixed(2))}` : '';
  const loops = (status.loops || []).map((loop) => (loop.muted ? `${loop.name} (muted)` : loop.name));
  return `livemidi: ${state}${where}${where ? beat : ''}; loops: ${loops.length ? loops.join(', ') : 'none'}`;
}

module.exports = { formatStatus };
