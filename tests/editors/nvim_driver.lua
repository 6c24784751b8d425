-- Drives the Neovim plugin for tests/editors/test_nvim.py: one scenario per run.
--
-- `nvim --headless --clean` loads the plugin from editors/nvim (on 'runtimepath'),
-- then runs this file; LIVEMIDI_TEST_STEP names the scenario, LIVEMIDI_TEST_SONG the
-- file to open. A failed check exits with status 1 and says what it expected;
-- what the music did is checked by the Python test, on the JACK input.

local step = os.getenv('LIVEMIDI_TEST_STEP')
local song = os.getenv('LIVEMIDI_TEST_SONG')

local function check(condition, message, ...)
  if not condition then
    error(message:format(...), 2)
  end
end

local function livemidi()
  return require('livemidi')
end

-- Wait (generously: the machine is shared) until every request has its answer.
local function settle(what)
  check(vim.wait(30000, function()
    return livemidi().pending() == 0
  end, 10), '%s: no answer within 30 s', what)
  return livemidi().last_answer
end

local function marks(ns)
  return vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })
end

local function press(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'mx', false)
end

local steps = {}

-- The paragraph flashes and plays; then a block that fails: the error lands in the quickfix list and as a
-- diagnostic on the right line, through the default <C-e> mapping.
function steps.block_and_error()
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  local flash_ns = require('livemidi.highlight').flash_ns
  vim.api.nvim_win_set_cursor(0, { 4, 0 })
  vim.cmd('LivemidiEvalBlock')
  local flash = marks(flash_ns)
  check(#flash == 1, 'one flash extmark right after :LivemidiEvalBlock, found %d', #flash)
  check(flash[1][2] == 2 and flash[1][4].end_row == 3, 'the flash covers lines 3-4, found %s', vim.inspect(flash))
  check(flash[1][4].hl_group == 'LivemidiFlash', 'the flash uses LivemidiFlash: %s', vim.inspect(flash))
  local answer = settle('the block')
  check(answer.ok == true, 'the block was accepted, got %s', vim.inspect(answer))
  check(vim.wait(3000, function()
    return #marks(flash_ns) == 0
  end, 10), 'the flash ends (200 ms), still there after 3 s')

  vim.api.nvim_win_set_cursor(0, { 7, 0 })
  press('<C-e>') -- the default mapping for :LivemidiEvalBlock
  answer = settle('the failing block')
  check(answer.ok == false and answer.error.kind == 'code', 'the failing block was refused, got %s', vim.inspect(answer))
  local items = vim.fn.getqflist()
  local title = vim.fn.getqflist({ title = 0 }).title
  check(title == 'livemidi', 'the quickfix list is livemidi\'s, found %q', title)
  check(#items >= 1, 'the error is in the quickfix list, which is empty')
  check(items[1].bufnr == vim.api.nvim_get_current_buf() and items[1].lnum == 8 and items[1].col == 11,
    'the quickfix entry points at the song\'s line 8, column 11 (no_such_name), found %s (buffer %d)',
    vim.inspect(items[1]), vim.api.nvim_get_current_buf())
  check(items[1].text:match('NameError') and items[1].text:match('no_such_name'), 'the entry says what failed: %q', items[1].text)
  local diagnostics = vim.diagnostic.get(0, { namespace = require('livemidi.report').ns })
  check(#diagnostics == 1 and diagnostics[1].lnum == 7 and diagnostics[1].col == 10,
    'one diagnostic, on line 8 at no_such_name, found %s', vim.inspect(diagnostics))
  check(diagnostics[1].severity == vim.diagnostic.severity.ERROR, 'the diagnostic is an error')
  vim.cmd('cfirst')
  local cursor = vim.api.nvim_win_get_cursor(0)
  check(cursor[1] == 8 and cursor[2] == 10, ':cfirst jumps to line 8 at no_such_name, at %s', vim.inspect(cursor))

  -- Fixed and sent again: the error goes.
  vim.api.nvim_buf_set_lines(0, 7, 8, false, { 'p.worse = note("e4").ch(4)' })
  vim.cmd('LivemidiEvalBlock')
  answer = settle('the fixed block')
  check(answer.ok == true, 'the fixed block was accepted, got %s', vim.inspect(answer))
  check(#vim.diagnostic.get(0, { namespace = require('livemidi.report').ns }) == 0, 'the diagnostic went')
  check(#vim.fn.getqflist() == 0, 'the quickfix list was emptied')
end

-- :LivemidiEval sends the cursor's line, or a range; the visual mapping sends a charwise selection only.
function steps.line_range_selection()
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('LivemidiEval')
  check(settle('line 1').ok == true, 'line 1 was accepted, got %s', vim.inspect(livemidi().last_answer))
  vim.cmd('3LivemidiEval')
  check(settle('line 3').ok == true, 'line 3 was accepted, got %s', vim.inspect(livemidi().last_answer))
  -- Select `p.d = note("g4").ch(8)` on line 5, and not what follows it.
  vim.api.nvim_win_set_cursor(0, { 5, 0 })
  local line = vim.api.nvim_get_current_line()
  local stop = line:find(';', 1, true) - 2
  press('0v' .. stop .. 'l<C-e>')
  local answer = settle('the selection')
  check(answer.ok == true, 'the selection was accepted, got %s', vim.inspect(answer))
end

-- :LivemidiStatus, then :LivemidiHush.
function steps.status_hush()
  vim.cmd('LivemidiStatus')
  local answer = settle('status')
  check(answer.ok == true and answer.playing == true, 'the session plays, got %s', vim.inspect(answer))
  local names = {}
  for _, loop in ipairs(answer.loops) do
    names[loop.name] = true
  end
  check(names.x, 'the loop x is listed: %s', vim.inspect(answer.loops))
  vim.cmd('LivemidiHush')
  check(settle('hush').ok == true, 'hush was accepted, got %s', vim.inspect(livemidi().last_answer))
end

function steps.panic()
  vim.cmd('LivemidiPanic')
  check(settle('panic').ok == true, 'panic was accepted, got %s', vim.inspect(livemidi().last_answer))
end

-- No session: the command says so, names the server file and sends nothing.
function steps.no_session()
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  local said = {}
  vim.notify = function(message)
    table.insert(said, message)
  end
  local sent = livemidi().eval()
  check(sent == false, 'nothing was sent')
  check(#said == 1, 'one message, got %s', vim.inspect(said))
  check(said[1]:match('no running livemidi session') and said[1]:find(os.getenv('LIVEMIDI_SERVER_FILE'), 1, true),
    'the message says there is no session and names the server file: %q', said[1])
  check(os.getenv('LIVEMIDI_TEST_EXPECT') == nil or said[1]:find(os.getenv('LIVEMIDI_TEST_EXPECT'), 1, true),
    'the message says %q: %q', os.getenv('LIVEMIDI_TEST_EXPECT'), said[1])
  check(#marks(require('livemidi.highlight').flash_ns) == 0, 'nothing flashes when nothing was sent')
  -- setup's server_file wins over $LIVEMIDI_SERVER_FILE.
  local mine = vim.fn.tempname() .. '/server.json'
  livemidi().setup({ server_file = mine })
  livemidi().eval()
  check(#said == 2 and said[2]:find(mine, 1, true), 'the message names the server_file of setup (%s): %s', mine, said[2])
end

-- A server file whose process lives but whose port has nothing behind it: the eval is answered, with an error that
-- says nothing answers there.
function steps.nothing_answers()
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  local said = {}
  vim.notify = function(message)
    table.insert(said, message)
  end
  livemidi().eval()
  settle('the eval')
  local text = table.concat(said, '\n')
  check(text:find('no running livemidi session: nothing answers on 127.0.0.1:' .. os.getenv('LIVEMIDI_TEST_PORT'), 1, true),
    'the message says nothing answers on the port: %s', text)
  check(livemidi().last_answer.error.kind == 'connection', 'a connection error: %s', vim.inspect(livemidi().last_answer))
end

-- The default keys are on in Python buffers; setup{keys = false} takes them away; setup{keys = {...}} moves them.
function steps.mappings()
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  check(vim.bo.filetype == 'python', 'the song is a python buffer, filetype %q', vim.bo.filetype)
  local function mapped(lhs, mode)
    return vim.fn.maparg(lhs, mode or 'n', false, true).desc
  end
  check(mapped('<C-e>') == 'livemidi: evaluate the paragraph', '<C-e> evaluates the paragraph: %s', tostring(mapped('<C-e>')))
  check(mapped('<C-e>', 'x') == 'livemidi: evaluate the selection', '<C-e> in visual mode evaluates the selection')
  check(mapped('<LocalLeader>h') == 'livemidi: hush', '<LocalLeader>h hushes')
  livemidi().setup({ keys = false })
  check(mapped('<C-e>') == nil and mapped('<LocalLeader>h') == nil, 'keys = false removes every mapping')
  livemidi().setup({ keys = { eval_block = '<F5>', hush = false } })
  check(mapped('<F5>') == 'livemidi: evaluate the paragraph', '<F5> now evaluates the paragraph')
  check(mapped('<LocalLeader>h') == nil, 'hush = false leaves hush unmapped')
  check(mapped('<LocalLeader>p') == 'livemidi: panic', 'the other default keys stay')
  vim.cmd('enew')
  vim.bo.filetype = 'text'
  check(mapped('<F5>') == nil, 'a text buffer gets no keys')
  local ok, err = pcall(livemidi().setup, { colour = 'red' })
  check(not ok and tostring(err):match('unknown option "colour"'), 'an unknown option is refused: %s', tostring(err))
end

-- A play event's location (1-based line, 0-based code-point columns) is highlighted `at` seconds later, for
-- `duration`, on the right characters after a multi-byte one.
function steps.step_highlight()
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  local step_ns = require('livemidi.highlight').step_ns
  require('livemidi.highlight').play({ event = 'play', at = 0.2, duration = 0.3, note = 60,
    locations = { { source = song, line = 2, column = 15, end_column = 17 } } })
  check(#marks(step_ns) == 0, 'nothing is highlighted before the step sounds')
  check(vim.wait(2000, function()
    return #marks(step_ns) == 1
  end, 5), 'the step is highlighted when it sounds')
  local mark = marks(step_ns)[1]
  local line = vim.api.nvim_buf_get_lines(0, 1, 2, false)[1]
  check(line:sub(mark[3] + 1, mark[4].end_col) == 'c4', 'the highlight covers c4, it covers %q', line:sub(mark[3] + 1, mark[4].end_col))
  check(vim.wait(2000, function()
    return #marks(step_ns) == 0
  end, 5), 'the highlight ends after its duration')
end

-- A block that never ends is interrupted from the editor (the music plays on: checked in Python).
function steps.interrupt()
  local said = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(said, message)
    notify(message, level)
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('LivemidiEvalBlock')
  -- Interrupt acts on a running block only: wait until the session runs it.
  local busy = false
  local deadline = vim.loop.now() + 30000
  while not busy and vim.loop.now() < deadline do
    local answered = false
    livemidi().request('status', {}, function(answer)
      busy, answered = answer.busy == true, true
    end)
    vim.wait(5000, function()
      return answered
    end, 10)
  end
  check(busy, 'the session runs the endless block')
  vim.cmd('LivemidiInterrupt')
  settle('the interrupt and the block')
  local text = table.concat(said, '\n')
  check(text:find('the running eval was interrupted', 1, true), 'the interrupt says it interrupted the block: %s', text)
  check(text:find('interrupted by interrupt', 1, true), 'the block\'s answer says it was interrupted: %s', text)
end

-- The session ends and another starts (a new port and token in the same server file): the next command finds it.
-- LIVEMIDI_TEST_MARK is written once the first block is in; the Python test then restarts the session and
-- writes the same path with ".restarted" added.
function steps.restart()
  local mark = os.getenv('LIVEMIDI_TEST_MARK')
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('LivemidiEvalBlock')
  check(settle('the first block').ok == true, 'the first block was accepted: %s', vim.inspect(livemidi().last_answer))
  vim.fn.writefile({}, mark)
  check(vim.wait(60000, function()
    return vim.loop.fs_stat(mark .. '.restarted') ~= nil
  end, 50), 'the session was restarted')
  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  vim.cmd('LivemidiEvalBlock')
  check(settle('the second block').ok == true, 'the new session took the second block: %s', vim.inspect(livemidi().last_answer))
end

-- With :LivemidiHighlight on, the steps of a block that plays light up on their characters as they sound.
function steps.live_highlight()
  vim.cmd('edit ' .. vim.fn.fnameescape(song))
  vim.cmd('LivemidiHighlight on')
  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  vim.cmd('LivemidiEvalBlock')
  check(settle('the block').ok == true, 'the block was accepted: %s', vim.inspect(livemidi().last_answer))
  local step_ns = require('livemidi.highlight').step_ns
  local seen = {}
  vim.wait(15000, function()
    for _, mark in ipairs(marks(step_ns)) do
      local line = vim.api.nvim_buf_get_lines(0, mark[2], mark[2] + 1, false)[1]
      seen[('%d:%s'):format(mark[2] + 1, line:sub(mark[3] + 1, mark[4].end_col))] = true
    end
    return seen['3:c4'] and seen['3:e4']
  end, 5)
  check(seen['3:c4'] and seen['3:e4'], 'c4 and e4 on line 3 light up in turn, saw %s', vim.inspect(seen))
  vim.cmd('LivemidiHighlight off')
  vim.wait(500, function()
    return false
  end)
  check(#marks(step_ns) == 0, 'nothing is highlighted once highlighting is off')
end

local run = steps[step]
if not run then
  io.stderr:write(('nvim_driver.lua: no step %q\n'):format(tostring(step)))
  vim.cmd('cquit 2')
end
local ok, err = xpcall(run, debug.traceback)
if ok then
  vim.cmd('qall!')
else
  io.stderr:write(tostring(err) .. '\n')
  vim.cmd('cquit 1')
end
