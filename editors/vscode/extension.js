// @ts-check
'use strict';
/**
 * The VS Code side of the livemidi extension: thin glue, no logic.
 *
 * Everything that decides something (which code to send, the protocol, where
 * an error goes, when a step lights) is in lib/, tested by node's test runner
 * against a real session. This file only turns VS Code's editor into plain
 * values for lib/controller.js and carries out what it asks: diagnostics,
 * decorations, messages. It cannot be tested here (VS Code itself cannot be
 * downloaded on the test machines), so keep it this small.
 */

const vscode = require('vscode');
const { Controller } = require('./lib/controller');
const { COMMANDS } = require('./lib/commands');
const { splitLines } = require('./lib/blocks');

/** The name a document is sent under: its path, or its URI when it is not a file (unsaved). */
function sourceOf(/** @type {vscode.TextDocument} */ document) {
  return document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString();
}

function activate(/** @type {vscode.ExtensionContext} */ context) {
  const config = () => vscode.workspace.getConfiguration('livemidi');
  const diagnostics = vscode.languages.createDiagnosticCollection('livemidi');
  const output = vscode.window.createOutputChannel('livemidi');
  const types = {
    flash: vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    }),
    sounding: vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.wordHighlightStrongBackground'),
      outlineColor: new vscode.ThemeColor('editorCursor.foreground'),
      outlineStyle: 'solid',
      outlineWidth: '1px',
    }),
  };
  /** @type {Map<string, vscode.Uri>} sources sent, to find their documents again */
  const uris = new Map();
  /** @type {{[kind: string]: Map<string, vscode.Range[]>}} what is lit, per kind and source */
  const lit = { flash: new Map(), sounding: new Map() };

  const paint = (/** @type {vscode.TextEditor} */ editor) => {
    const source = sourceOf(editor.document);
    for (const kind of /** @type {('flash'|'sounding')[]} */ (['flash', 'sounding'])) {
      editor.setDecorations(types[kind], lit[kind].get(source) || []);
    }
  };

  /** @type {import('./lib/controller').Ui} */
  const ui = {
    setDiagnostics(list) {
      diagnostics.clear();
      /** @type {Map<string, vscode.Diagnostic[]>} */
      const byFile = new Map();
      for (const item of list) {
        const range = new vscode.Range(item.line, item.startColumn, item.line, item.endColumn);
        const diagnostic = new vscode.Diagnostic(range, item.message, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'livemidi';
        byFile.set(item.file, [...(byFile.get(item.file) || []), diagnostic]);
      }
      for (const [file, items] of byFile) {
        diagnostics.set(uris.get(file) || vscode.Uri.file(file), items);
      }
    },
    decorate(source, kind, spans) {
      lit[kind].set(source, spans.map((s) => new vscode.Range(s.line, s.startColumn, s.line, s.endColumn)));
      for (const editor of vscode.window.visibleTextEditors) {
        if (sourceOf(editor.document) === source) paint(editor);
      }
    },
    info: (text) => void vscode.window.showInformationMessage(text),
    status: (text) => void vscode.window.setStatusBarMessage(text, 4000),
    error: (text) => void vscode.window.showErrorMessage(text),
    output: (text) => output.appendLine(text),
    shows: (source) => vscode.window.visibleTextEditors.some((editor) => sourceOf(editor.document) === source),
  };

  const controller = new Controller({
    ui,
    serverFile: () => config().get('serverFile') || undefined,
    highlightSteps: () => config().get('highlightSteps', true),
    flashMs: () => config().get('flashMilliseconds', 200),
  });

  for (const command of COMMANDS) {
    const handler = () => {
      const editor = vscode.window.activeTextEditor;
      if (command.needsEditor && !editor) {
        ui.status('livemidi: no editor to send code from');
        return undefined;
      }
      let state = null;
      if (editor) {
        const source = sourceOf(editor.document);
        uris.set(source, editor.document.uri);
        const { start, end } = editor.selection;
        state = {
          doc: { source, lines: splitLines(editor.document.getText()) },
          selection: { startLine: start.line, startCharacter: start.character, endLine: end.line, endCharacter: end.character },
        };
      }
      return command.run(controller, state);
    };
    context.subscriptions.push(vscode.commands.registerCommand(command.id, handler));
  }
  context.subscriptions.push(
    diagnostics,
    output,
    types.flash,
    types.sounding,
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(paint)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('livemidi')) void controller.settingsChanged();
    }),
    { dispose: () => controller.dispose() },
  );
}

function deactivate() {}

module.exports = { activate, deactivate };
