// @ts-check
'use strict';
/**
 * The extension's commands: their ids (as package.json declares them) and what each runs.
 *
 * extension.js registers exactly these; a test checks that package.json
 * declares the same ids, so a command can never be bound to a key but
 * missing, or registered but invisible in the palette.
 */

/**
 * @typedef {import('./controller').Controller} Controller
 * @typedef {import('./controller').Document} Document
 * @typedef {{doc: Document, selection: {startLine: number, startCharacter: number, endLine: number,
 *   endCharacter: number}} | null} EditorState  the active editor, as plain values (null: none)
 */

/** @type {{id: string, title: string, needsEditor: boolean, run: (c: Controller, e: any) => Promise<any>}[]} */
const COMMANDS = [
  {
    id: 'livemidi.eval',
    title: 'livemidi: Evaluate Selection or Line',
    needsEditor: true,
    run: (controller, editor) => controller.evalSelection(editor.doc, editor.selection),
  },
  {
    id: 'livemidi.evalBlock',
    title: 'livemidi: Evaluate Block',
    needsEditor: true,
    run: (controller, editor) => controller.evalBlock(editor.doc, editor.selection.startLine),
  },
  { id: 'livemidi.hush', title: 'livemidi: Hush (silence every loop)', needsEditor: false, run: (c) => c.hush() },
  { id: 'livemidi.panic', title: 'livemidi: Panic (all notes off)', needsEditor: false, run: (c) => c.panic() },
  { id: 'livemidi.stop', title: 'livemidi: Stop the Transport', needsEditor: false, run: (c) => c.stop() },
  { id: 'livemidi.status', title: 'livemidi: Status', needsEditor: false, run: (c) => c.status() },
];

module.exports = { COMMANDS };
