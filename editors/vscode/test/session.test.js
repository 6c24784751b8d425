'use strict';
// The client and the commands against a real session (see session.js for which one).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const { Client, connectSession } = require('../lib/client');
const { Controller } = require('../lib/controller');
const { readServerFile, serverFilePath } = require('../lib/serverfile');
const { liveSession, recordingUi, waitFor, python } = require('./session');

let session;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livemidi-vscode-doc-'));

before(async () => {
  session = await liveSession();
});

after(async () => {
  if (session && session.serverFile) {
    const client = await connectSession({ serverFile: session.serverFile }).catch(() => null);
    if (client) {
      await client.request('hush', {}, { timeoutMs: 5000 }).catch(() => {});
      client.close();
    }
  }
  if (session && session.stop) await session.stop();
});

function ready(t) {
  if (session.skip) {
    t.skip(session.skip);
    return false;
  }
  return true;
}

/** A document as the glue hands it over, saved under the test's folder. */
function documentOf(name, text) {
  const source = path.join(dir, name);
  fs.writeFileSync(source, text);
  return { source, lines: text.split('\n') };
}

function controllerFor(ui, options = {}) {
  return new Controller({ ui, serverFile: () => session.serverFile, flashMs: () => 30, ...options });
}

/** The next `play` event of `loop`, from a subscription of our own. */
async function nextPlay(loop, ms = 10000) {
  const client = await connectSession({ serverFile: session.serverFile });
  try {
    const answer = await client.request('subscribe', { events: ['play'] }, { timeoutMs: 5000 });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no play event of loop ${loop} within ${ms} ms`)), ms);
      client.onEvent((event) => {
        if (event.event === 'play' && event.loop === loop) {
          clearTimeout(timer);
          resolve(event);
        }
      });
    });
  } finally {
    setTimeout(() => client.close(), 0);
  }
}

test('the client: answers find their requests, many at once, with the protocol', async (t) => {
  if (!ready(t)) return;
  const client = await connectSession({ serverFile: session.serverFile });
  try {
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.request('status', {}, { timeoutMs: 5000 })));
    const ids = answers.map((answer) => answer.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal(new Set(ids).size, 10);
    for (const answer of answers) {
      assert.equal(answer.ok, true);
      assert.equal(answer.protocol, 1);
      assert.equal(typeof answer.bpm, 'number');
    }
  } finally {
    client.close();
  }
});

test('a wrong token is refused, and the connection closed', async (t) => {
  if (!ready(t)) return;
  const info = readServerFile(session.serverFile);
  const client = await Client.connect({ ...info, token: '0'.repeat(32) });
  const closed = new Promise((resolve) => client.onClose(resolve));
  const answer = await client.request('status', {}, { timeoutMs: 5000 });
  assert.equal(answer.ok, false);
  assert.equal(answer.error.kind, 'auth');
  await closed;
  await assert.rejects(client.request('status'), /was closed/);
});

test('evalBlock sends the block with its file and first line, flashes it, and the loop plays', async (t) => {
  if (!ready(t)) return;
  const doc = documentOf('set.py', '# a set\n\nx = 3\np.vscode = note("cs4 ds4 fs4 ~").ch(x)\n\n# end\n');
  const ui = recordingUi();
  const controller = controllerFor(ui);
  try {
    const playing = nextPlay('vscode');
    const answer = await controller.evalBlock(doc, 3);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const flash = ui.of('decorate').filter((call) => call[2] === 'flash');
    assert.deepEqual(flash[0].slice(1), [doc.source, 'flash', [
      { line: 2, startColumn: 0, endColumn: 5 },
      { line: 3, startColumn: 0, endColumn: doc.lines[3].length },
    ]]);
    await waitFor(() => ui.of('decorate').some((call) => call[2] === 'flash' && call[3].length === 0), 2000, 'the flash ends');
    assert.deepEqual(ui.of('setDiagnostics').at(-1)[1], []);
    // The loop swaps in at the next bar; then it plays (the repository's test checks the notes arrive).
    let status = '';
    for (let tries = 0; tries < 60 && !/loops: .*vscode/.test(status); tries += 1) {
      await controller.status();
      status = ui.of('info').at(-1)[1];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(status, /^livemidi: playing at [\d.]+ BPM, bar \d+ beat [\d.]+; loops: .*vscode/);
    const event = await playing;
    assert.ok([61, 63, 66].includes(event.note), JSON.stringify(event));
    assert.equal(event.channel, 3);
    assert.ok(event.at >= 0 && event.duration > 0, JSON.stringify(event));
    await new Promise((resolve) => setTimeout(resolve, 2100)); // a bar at 120 BPM: every note of it sounds
  } finally {
    controller.dispose();
  }
});

test('an error becomes a diagnostic on its own line of the file; the next good eval clears it', async (t) => {
  if (!ready(t)) return;
  const text = 'tempo(120)\n\ny = 1\np.broken = note("c4").no_such_method()\n\np.fine = note("~")\n';
  const doc = documentOf('broken.py', text);
  const ui = recordingUi();
  const controller = controllerFor(ui);
  try {
    const answer = await controller.evalBlock(doc, 2);
    assert.equal(answer.ok, false);
    assert.equal(answer.error.kind, 'code');
    const [diagnostic] = ui.diagnostics;
    assert.equal(diagnostic.file, doc.source);
    assert.equal(diagnostic.line, 3);
    assert.equal(diagnostic.type, 'AttributeError');
    assert.match(diagnostic.message, /^AttributeError: .*no_such_method/);
    assert.match(ui.of('error').at(-1)[1], new RegExp(`^${escape(doc.source)}:4: AttributeError`));
    assert.match(ui.of('output').map((call) => call[1]).join('\n'), /no_such_method/);
    const fixed = await controller.evalBlock(doc, 5);
    assert.equal(fixed.ok, true, JSON.stringify(fixed));
    assert.deepEqual(ui.diagnostics, []);
  } finally {
    controller.dispose();
  }
});

test('a syntax error and a refused pattern point at their lines too', async (t) => {
  if (!ready(t)) return;
  const text = 'a = 1\n\n\n\np.s = note("c4"\n\nb = 2\np.m = note("c4 [e4")\n';
  const doc = documentOf('syntax.py', text);
  const ui = recordingUi();
  const controller = controllerFor(ui);
  try {
    const syntax = await controller.evalSelection(doc, { startLine: 4, startCharacter: 0, endLine: 4, endCharacter: 0 });
    assert.equal(syntax.ok, false);
    assert.equal(ui.diagnostics[0].type, 'SyntaxError');
    assert.equal(ui.diagnostics[0].line, 4);
    const refused = await controller.evalBlock(doc, 7);
    assert.equal(refused.ok, false);
    assert.equal(refused.error.kind, 'code');
    assert.equal(ui.diagnostics[0].file, doc.source);
    assert.equal(ui.diagnostics[0].line, 7, JSON.stringify(refused.error));
  } finally {
    controller.dispose();
  }
});

test('hush interrupts an eval that never ends, from its own connection', async (t) => {
  if (!ready(t)) return;
  const doc = documentOf('forever.py', 'while True:\n    pass\n');
  const ui = recordingUi();
  const controller = controllerFor(ui);
  try {
    const running = controller.evalBlock(doc, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const hushed = await controller.hush();
    assert.equal(hushed.ok, true, JSON.stringify(hushed));
    const answer = await running;
    assert.equal(answer.ok, false);
    assert.equal(answer.error.kind, 'interrupted');
    assert.match(ui.of('error').at(-1)[1], /interrupted/);
    assert.deepEqual(ui.diagnostics, [], 'an interrupted eval is not an error in the code');
    const after = await controller.evalBlock(documentOf('after.py', '1 + 1\n'), 0);
    assert.equal(after.ok, true);
    assert.equal(after.value, '2');
  } finally {
    controller.dispose();
  }
});

test('sounding steps light up where the mini-notation wrote them', async (t) => {
  if (!ready(t)) return;
  const doc = documentOf('steps.py', 'p.steps = note("c4 e4 g4 ~").ch(4)\n');
  const ui = recordingUi((source) => source === doc.source);
  const controller = controllerFor(ui);
  try {
    const seen = nextPlay('steps');
    const answer = await controller.evalBlock(doc, 0);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const event = await seen;
    assert.ok(event.locations.length > 0, `a play event without locations: ${JSON.stringify(event)}`);
    await waitFor(
      () => ui.of('decorate').some((call) => call[2] === 'sounding' && call[3].length > 0),
      5000,
      'a sounding step is lit',
    );
    const columns = { 'c4': 16, 'e4': 19, 'g4': 22 };
    for (const call of ui.of('decorate').filter((c) => c[2] === 'sounding')) {
      assert.equal(call[1], doc.source);
      for (const span of call[3]) {
        assert.equal(span.line, 0);
        assert.ok(Object.values(columns).includes(span.startColumn), JSON.stringify(span));
        assert.equal(span.endColumn, span.startColumn + 2);
      }
    }
    await controller.hush();
    await waitFor(() => ui.of('decorate').at(-1)[3].length === 0, 2000, 'hush unlights every step');
  } finally {
    controller.dispose();
  }
});

test('the highlightSteps setting: on, play events reach the highlighter; off, the server sends none', async (t) => {
  if (!ready(t)) return;
  let highlight = true;
  const ui = recordingUi();
  const controller = controllerFor(ui, { highlightSteps: () => highlight });
  const seen = [];
  const onPlay = controller.highlighter.onPlay.bind(controller.highlighter);
  controller.highlighter.onPlay = (event) => {
    seen.push(event);
    onPlay(event);
  };
  try {
    const answer = await controller.evalBlock(documentOf('toggle.py', 'p.toggle = note("c5*4").ch(9)\n'), 0);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    await waitFor(() => seen.some((event) => event.loop === 'toggle'), 10000, 'a play event of the loop');
    highlight = false;
    await controller.settingsChanged();
    await new Promise((resolve) => setTimeout(resolve, 200)); // events already on their way
    const before = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // two steps of c5*4 at least
    assert.equal(seen.length, before, 'play events after highlighting was turned off');
    assert.equal(controller.subscribed, 'notice');
    assert.equal((await controller.status()).ok, true);
  } finally {
    await controller.hush();
    controller.dispose();
  }
});

test('no session: the file is missing, left by a dead process, or nothing answers', async () => {
  const missing = path.join(dir, 'none', 'server.json');
  let ui = recordingUi();
  assert.equal(await new Controller({ ui, serverFile: () => missing }).status(), null);
  assert.match(ui.of('error')[0][1], /no running livemidi session \(no server file at .*none\/server\.json\)/);

  const gone = spawnSync(process.execPath, ['-e', '']).pid;
  const stale = path.join(dir, 'stale.json');
  fs.writeFileSync(stale, JSON.stringify({ protocol: 1, host: '127.0.0.1', port: 1, token: 't', pid: gone }));
  ui = recordingUi();
  assert.equal(await new Controller({ ui, serverFile: () => stale }).hush(), null);
  assert.match(ui.of('error')[0][1], /has ended/);

  const port = await new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });
  const silent = path.join(dir, 'silent.json');
  fs.writeFileSync(silent, JSON.stringify({ protocol: 1, host: '127.0.0.1', port, token: 't', pid: process.pid }));
  ui = recordingUi();
  const doc = documentOf('x.py', 'x = 1\n');
  assert.equal(await new Controller({ ui, serverFile: () => silent }).evalBlock(doc, 0), null);
  assert.match(ui.of('error')[0][1], /nothing answers at 127\.0\.0\.1:\d+ \(the server file .* is stale\)/);
});

test('after the session restarts (a new token, a new port) the next command reaches the new one', async (t) => {
  const serverFile = path.join(dir, 'restart', 'server.json');
  fs.mkdirSync(path.dirname(serverFile));
  const first = await liveSession({ own: true, serverFile });
  if (first.skip) {
    t.skip(first.skip);
    return;
  }
  const ui = recordingUi();
  const controller = new Controller({ ui, serverFile: () => serverFile, highlightSteps: () => false });
  let second = null;
  try {
    assert.equal((await controller.status()).ok, true);
    const before = readServerFile(serverFile);
    await first.stop();
    second = await liveSession({ own: true, serverFile });
    assert.notEqual(readServerFile(serverFile).token, before.token);
    const answer = await controller.evalBlock(documentOf('again.py', '6 * 7\n'), 0);
    assert.equal(answer && answer.ok, true, JSON.stringify(ui.calls.slice(-3)));
    assert.equal(answer.value, '42');
  } finally {
    controller.dispose();
    await first.stop();
    if (second && second.stop) await second.stop();
  }
});

test('the extension looks for the server file where `livemidi send --where` says', (t) => {
  const exe = python();
  const cases = [
    { LIVEMIDI_SERVER_FILE: path.join(dir, 'given.json') },
    { XDG_RUNTIME_DIR: path.join(dir, 'run') },
    {},
  ];
  for (const extra of cases) {
    const env = { ...process.env, ...extra };
    if (!('LIVEMIDI_SERVER_FILE' in extra)) delete env.LIVEMIDI_SERVER_FILE;
    if (!('XDG_RUNTIME_DIR' in extra)) delete env.XDG_RUNTIME_DIR;
    const result = spawnSync(exe, ['-m', 'livemidi', 'send', '--where'], { env, encoding: 'utf8' });
    if (result.status !== 0 && /invalid choice|No module/.test(result.stderr)) {
      t.skip(`no \`livemidi send\` for ${exe}`);
      return;
    }
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), serverFilePath({ env }), JSON.stringify(extra));
  }
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
