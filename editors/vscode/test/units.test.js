'use strict';
// The pieces that need no session: framing, blocks, the server file's lookup, errors, highlights.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { LineReader, LineTooLongError, encodeLine } = require('../lib/lines');
const { lineBlock, paragraphBlock, selectionBlock, splitLines } = require('../lib/blocks');
const { serverFilePath, readServerFile, NoSessionError, ServerFileError } = require('../lib/serverfile');
const { errorDiagnostic, describeError } = require('../lib/diagnostics');
const { Highlighter } = require('../lib/highlights');
const { formatStatus } = require('../lib/status');
const { COMMANDS } = require('../lib/commands');

test('a line split anywhere, even inside a character, comes out whole', () => {
  const bytes = Buffer.from(encodeLine({ a: 'é♪' }) + encodeLine({ b: 2 }));
  for (let cut = 0; cut <= bytes.length; cut += 1) {
    const reader = new LineReader();
    const lines = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    assert.deepEqual(lines.map((line) => JSON.parse(line)), [{ a: 'é♪' }, { b: 2 }]);
  }
});

test('many lines in one chunk, and blank lines, are fine', () => {
  const reader = new LineReader();
  assert.deepEqual(reader.push(Buffer.from('{"x":1}\n\n{"x":2}\n{"x"')), ['{"x":1}', '{"x":2}']);
  assert.deepEqual(reader.push(Buffer.from(':3}\n')), ['{"x":3}']);
});

test('a line past the limit is an error, not a growing buffer', () => {
  const reader = new LineReader(10);
  assert.throws(() => reader.push(Buffer.from('x'.repeat(11))), LineTooLongError);
});

test('encodeLine is one line of JSON', () => {
  assert.equal(encodeLine({ code: 'a\nb' }), '{"code":"a\\nb"}\n');
});

const FILE = splitLines(
  [
    'tempo(120)', // 0
    '', // 1
    'p.a = note("c e g")', // 2
    'p.b = note("c2")', // 3
    '', // 4
    'def f(x):', // 5
    '    y = x', // 6
    '', // 7
    '    return y', // 8
    '', // 9
    '', // 10
    'p.c = f(note("c"))', // 11
  ].join('\r\n'),
);

test('the block around the cursor goes to the blank lines', () => {
  const block = paragraphBlock(FILE, 3);
  assert.deepEqual([block.start, block.end, block.line], [2, 3, 3]);
  assert.equal(block.code, 'p.a = note("c e g")\np.b = note("c2")');
  assert.equal(paragraphBlock(FILE, 0).code, 'tempo(120)');
});

test('a blank line inside a def does not end the block, from either side', () => {
  for (const line of [5, 6, 7, 8]) {
    const block = paragraphBlock(FILE, line);
    assert.deepEqual([block.start, block.end], [5, 8], `cursor on line ${line}`);
  }
});

test('on a blank line the block is the one above; at the top, the one below; none in an empty file', () => {
  assert.deepEqual([paragraphBlock(FILE, 10).start, paragraphBlock(FILE, 10).end], [5, 8]);
  const lines = ['', '', 'x = 1', ''];
  assert.equal(paragraphBlock(lines, 0).code, 'x = 1');
  assert.equal(paragraphBlock(['', ' '], 1), null);
});

test('a line, or nothing for a blank one', () => {
  assert.equal(lineBlock(FILE, 11).code, 'p.c = f(note("c"))');
  assert.equal(lineBlock(FILE, 11).line, 12);
  assert.equal(lineBlock(FILE, 4), null);
  assert.throws(() => lineBlock(FILE, 12), /expected a line from 0 to 11, got 12/);
});

test('a selection, and whole lines selected up to the next line start', () => {
  const part = selectionBlock(FILE, { startLine: 2, startCharacter: 6, endLine: 2, endCharacter: 19 });
  assert.equal(part.code, 'note("c e g")');
  assert.equal(part.line, 3);
  const whole = selectionBlock(FILE, { startLine: 2, startCharacter: 0, endLine: 4, endCharacter: 0 });
  assert.deepEqual([whole.start, whole.end, whole.code], [2, 3, 'p.a = note("c e g")\np.b = note("c2")']);
  assert.equal(selectionBlock(FILE, { startLine: 3, startCharacter: 2, endLine: 3, endCharacter: 2 }), null);
});

test('the server file: $LIVEMIDI_SERVER_FILE, then the runtime directory of each platform', () => {
  assert.equal(serverFilePath({ env: { LIVEMIDI_SERVER_FILE: '/x/s.json', XDG_RUNTIME_DIR: '/run' } }), '/x/s.json');
  assert.equal(serverFilePath({ env: { XDG_RUNTIME_DIR: '/run/user/7' }, platform: 'linux' }), '/run/user/7/livemidi/server.json');
  assert.equal(serverFilePath({ env: {}, platform: 'linux', uid: 7 }), '/tmp/livemidi-7/server.json');
  assert.equal(serverFilePath({ env: {}, platform: 'freebsd', uid: 7 }), '/tmp/livemidi-7/server.json');
  assert.equal(serverFilePath({ env: { TMPDIR: '/var/folders/q/T/' }, platform: 'darwin' }), '/var/folders/q/T/livemidi/server.json');
  assert.equal(
    serverFilePath({ env: { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, platform: 'win32' }),
    'C:\\Users\\me\\AppData\\Local\\livemidi\\server.json',
  );
});

function tmpFile(content) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livemidi-vscode-'));
  const file = path.join(dir, 'server.json');
  if (content !== undefined) fs.writeFileSync(file, content);
  return file;
}

test('reading the server file: what is wrong is said', () => {
  assert.throws(() => readServerFile(tmpFile()), (error) => error instanceof NoSessionError && /no server file at/.test(error.message));
  assert.throws(() => readServerFile(tmpFile('nope')), ServerFileError);
  assert.throws(() => readServerFile(tmpFile('[1]')), /should hold a JSON object/);
  assert.throws(() => readServerFile(tmpFile('{"protocol": 2}')), /speaks protocol 2; this extension speaks 1/);
  assert.throws(() => readServerFile(tmpFile('{"protocol": 1, "host": "127.0.0.1", "port": "7317"}')), /"port" \(a number\)/);
  const good = { protocol: 1, host: '127.0.0.1', port: 7317, token: 'ab'.repeat(16), pid: process.pid, session: 'repl' };
  const info = readServerFile(tmpFile(JSON.stringify(good)));
  assert.deepEqual([info.host, info.port, info.token, info.session], ['127.0.0.1', 7317, good.token, 'repl']);
});

test('a server file left by a process that has ended is "no running session"', async () => {
  const { spawnSync } = require('child_process');
  const gone = spawnSync(process.execPath, ['-e', '']).pid; // a process that has run and ended
  const file = tmpFile(JSON.stringify({ protocol: 1, host: '127.0.0.1', port: 1, token: 't', pid: gone }));
  assert.throws(() => readServerFile(file), (error) => error instanceof NoSessionError && /has ended/.test(error.message));
});

test('a code error becomes a diagnostic on its mapped line; other errors do not', () => {
  const lines = ['x = 1', '  p.a = nope("c")  ', 'y'];
  const error = { kind: 'code', message: "name 'nope' is not defined", type: 'NameError', file: '/s.py', line: 2, column: null };
  const diagnostic = errorDiagnostic(error, { source: '/s.py', start: 0, lines });
  assert.deepEqual(
    [diagnostic.file, diagnostic.line, diagnostic.startColumn, diagnostic.endColumn, diagnostic.message],
    ['/s.py', 1, 2, 17, "NameError: name 'nope' is not defined"],
  );
  const column = errorDiagnostic({ ...error, column: 8 }, { source: '/s.py', start: 0, lines });
  assert.equal(column.startColumn, 8);
  const unmapped = errorDiagnostic({ ...error, file: null, line: null }, { source: '/s.py', start: 2, lines });
  assert.deepEqual([unmapped.file, unmapped.line], ['/s.py', 2]);
  assert.equal(errorDiagnostic({ kind: 'interrupted', message: 'hush' }, { source: '/s.py', start: 0 }), null);
  assert.equal(describeError(error), "/s.py:2: NameError: name 'nope' is not defined");
  assert.match(describeError({ kind: 'interrupted', message: 'by hush' }), /interrupted/);
});

/** A virtual clock: timers run when `advance` passes them. */
function virtualClock() {
  let now = 0;
  let next = 1;
  const timers = new Map();
  return {
    setTimer: (fn, ms) => {
      const handle = next++;
      timers.set(handle, { fn, due: now + ms });
      return handle;
    },
    clearTimer: (handle) => timers.delete(handle),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.due <= end).sort((a, b) => a[1].due - b[1].due || a[0] - b[0]);
        if (!due.length) break;
        const [handle, timer] = due[0];
        timers.delete(handle);
        now = timer.due;
        timer.fn();
      }
      now = end;
    },
    get pending() {
      return timers.size;
    },
  };
}

test('a play event lights its spans at `at` for `duration`; overlapping notes keep a span lit', () => {
  const clock = virtualClock();
  const renders = [];
  const highlighter = new Highlighter({ render: (source, spans) => renders.push([source, spans]), ...clock });
  const where = { source: '/s.py', line: 3, column: 12, end_column: 13 };
  highlighter.onPlay({ at: 0.1, duration: 0.25, locations: [where] });
  highlighter.onPlay({ at: 0.2, duration: 0.25, locations: [where] });
  clock.advance(99);
  assert.deepEqual(highlighter.lit('/s.py'), []);
  clock.advance(1);
  assert.deepEqual(highlighter.lit('/s.py'), [{ line: 2, startColumn: 12, endColumn: 13 }]);
  clock.advance(300); // the first ended at 350, the second goes on to 450
  assert.deepEqual(highlighter.lit('/s.py'), [{ line: 2, startColumn: 12, endColumn: 13 }]);
  clock.advance(100);
  assert.deepEqual(highlighter.lit('/s.py'), []);
  assert.deepEqual(renders, [
    ['/s.py', [{ line: 2, startColumn: 12, endColumn: 13 }]],
    ['/s.py', []],
  ]);
});

test('a chord is one render; unknown sources and empty locations are ignored; clear unlights', () => {
  const clock = virtualClock();
  const renders = [];
  const highlighter = new Highlighter({
    render: (source, spans) => renders.push([source, spans.length]),
    accept: (source) => source === '/s.py',
    ...clock,
  });
  for (const column of [1, 3, 5]) {
    highlighter.onPlay({ at: 0, duration: 1, locations: [{ source: '/s.py', line: 1, column, end_column: column + 1 }] });
  }
  highlighter.onPlay({ at: 0, duration: 1, locations: [{ source: '/other.py', line: 1, column: 0, end_column: 1 }] });
  highlighter.onPlay({ at: 0, duration: 1, locations: [] });
  clock.advance(1);
  assert.deepEqual(renders, [['/s.py', 3]]);
  highlighter.clear();
  assert.deepEqual(renders, [['/s.py', 3], ['/s.py', 0]]);
  assert.equal(clock.pending, 0);
});

test('a flood of events is bounded: past maxPending they are dropped and counted', () => {
  const clock = virtualClock();
  const highlighter = new Highlighter({ render: () => {}, maxPending: 10, ...clock });
  for (let i = 0; i < 100; i += 1) {
    highlighter.onPlay({ at: 1, duration: 1, locations: [{ source: 's', line: 1, column: 0, end_column: 1 }] });
  }
  assert.ok(clock.pending <= 10);
  assert.ok(highlighter.dropped >= 90);
});

test('the status line', () => {
  const line = formatStatus({ playing: true, bpm: 120, bar: 3, beat: 2.5, loops: [{ name: 'a' }, { name: 'b', muted: true }] });
  assert.equal(line, 'livemidi: playing at 120 BPM, bar 3 beat 2.5; loops: a, b (muted)');
  assert.equal(formatStatus({ playing: false, bpm: 90.5, loops: [] }), 'livemidi: stopped (90.5 BPM); loops: none');
});

test('package.json declares exactly the commands the extension registers, and its keys name them', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const declared = manifest.contributes.commands.map((command) => command.command).sort();
  assert.deepEqual(declared, COMMANDS.map((command) => command.id).sort());
  for (const command of manifest.contributes.commands) {
    assert.equal(command.title, COMMANDS.find((c) => c.id === command.command).title);
  }
  const bound = new Set(manifest.contributes.keybindings.map((binding) => binding.command));
  for (const id of bound) assert.ok(declared.includes(id), `${id} is bound to a key but not declared`);
  for (const id of ['livemidi.eval', 'livemidi.evalBlock', 'livemidi.hush', 'livemidi.panic']) {
    assert.ok(bound.has(id), `${id} has no key`);
  }
  for (const name of Object.keys(manifest.contributes.configuration.properties)) {
    assert.ok(name.startsWith('livemidi.'), name);
  }
  assert.equal(manifest.main, './extension.js');
  assert.ok(fs.existsSync(path.join(__dirname, '..', 'extension.js')));
});

test('the modules under lib/ do not need vscode (node runs them)', () => {
  for (const name of fs.readdirSync(path.join(__dirname, '..', 'lib'))) {
    const text = fs.readFileSync(path.join(__dirname, '..', 'lib', name), 'utf8');
    assert.doesNotMatch(text, /require\(['"]vscode['"]\)/, name);
  }
});
