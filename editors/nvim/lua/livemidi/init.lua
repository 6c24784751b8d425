-- livemidi for Neovim: send code to a running livemidi session and see what it does.
--
-- `plugin/livemidi.lua` defines the commands and calls `setup()` with the
-- defaults unless the user's config did first; `setup{}` may be called again
-- at any time (its mappings replace the previous ones). Everything here is
-- asynchronous: a command sends its request and returns at once, and the
-- answer is shown when it comes, so a slow eval never freezes the editor.
-- `pending()` counts the requests still waiting (tests wait on it).

local client = require('livemidi.client')
local server = require('livemidi.server')
local text = require('livemidi.text')
local report = require('livemidi.report')
local highlight = require('livemidi.highlight')

local M = {}

local defaults = {
  server_file = nil, -- nil: $LIVEMIDI_SERVER_FILE, else the runtime directory's livemidi/server.json
  keys = {
    eval = '<localleader>e', -- the line (normal), the selection (visual)
    eval_block = '<C-e>', -- the paragraph (normal, insert), the selection (visual)
    hush = '<localleader>h',
    panic = '<localleader>p',
    status = '<localleader>s',
  },
  filetypes = { 'python' }, -- where the keys are mapped (buffer-local)
  flash_ms = 200,
  highlight = false, -- highlight the sounding steps (:LivemidiHighlight on|off)
  notices = true, -- show the session's notices (a loop muted for an error...)
}

-- Every option's name: `defaults` cannot say, since a nil default is no key of a Lua table.
local OPTIONS = { 'server_file', 'keys', 'filetypes', 'flash_ms', 'highlight', 'notices' }

M.options = vim.deepcopy(defaults)
M.configured = false

local state = { conn = nil, sub = nil, sub_events = nil, pending = 0, mapped = {}, augroup = nil }

--- The requests still waiting for their answer.
function M.pending()
  return state.pending
end

local function fail(message)
  vim.notify('livemidi: ' .. message, vim.log.levels.ERROR)
end

--- Read the server file; nil and a message when there is no session to talk to.
local function server_info()
  return server.read(server.path(M.options.server_file))
end

local function connection()
  if state.conn and state.conn:is_usable() then
    return state.conn
  end
  local info, err = server_info()
  if not info then
    return nil, err
  end
  local conn
  conn = client.connect(info, {
    on_close = function()
      if state.conn == conn then
        state.conn = nil
      end
    end,
  })
  state.conn = conn
  return conn
end

local function subscribe()
  local events = {}
  if M.options.highlight then
    table.insert(events, 'play')
  end
  if M.options.notices then
    table.insert(events, 'notice')
  end
  local wanted = table.concat(events, ',')
  if state.sub and state.sub:is_usable() and state.sub_events == wanted then
    return
  end
  if state.sub then
    state.sub:close()
    state.sub = nil
  end
  if #events == 0 then
    return
  end
  local info = server_info()
  if not info then
    return -- the request that follows says why
  end
  local sub
  sub = client.connect(info, {
    on_event = function(event)
      if event.event == 'play' and M.options.highlight then
        highlight.play(event)
      elseif event.event == 'notice' and M.options.notices then
        vim.notify('livemidi: ' .. tostring(client.null(event.text)), vim.log.levels.WARN)
      end
    end,
    on_close = function()
      if state.sub == sub then
        state.sub = nil
      end
    end,
  })
  state.sub, state.sub_events = sub, wanted
  sub:request('subscribe', { events = events }, function(answer)
    if not answer.ok and answer.error and answer.error.kind ~= 'connection' then
      fail('subscribing to the events failed: ' .. report.summary(answer.error))
    end
  end)
end

--- Send `op` with `fields`; `on_answer(answer)` is called on the main loop with the answer.
function M.request(op, fields, on_answer)
  local conn, err = connection()
  if not conn then
    fail(err)
    return false
  end
  subscribe()
  state.pending = state.pending + 1
  conn:request(op, fields, function(answer)
    state.pending = state.pending - 1
    M.last_answer = answer
    on_answer(answer)
  end)
  return true
end

local function source_of(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  return name ~= '' and name or '<editor>'
end

--- Evaluate `chunk` (text.lua) of buffer `bufnr`: flash it, send it, show the answer.
function M.eval_chunk(bufnr, chunk)
  if not chunk or not chunk.code:match('%S') then
    fail('nothing to evaluate here (a blank line or an empty selection)')
    return false
  end
  local sent = M.request('eval', { code = chunk.code, source = source_of(bufnr), line = chunk.first }, function(answer)
    report.eval_answer(bufnr, chunk, answer)
  end)
  if sent then
    highlight.flash(bufnr, chunk, M.options.flash_ms)
  end
  return sent
end

--- :LivemidiEval: lines `first`..`last` (1-based), or the cursor's line without them.
function M.eval(first, last)
  local bufnr = vim.api.nvim_get_current_buf()
  if not first then
    first = vim.api.nvim_win_get_cursor(0)[1]
    last = first
  end
  return M.eval_chunk(bufnr, text.lines(bufnr, first, last or first))
end

--- :LivemidiEvalBlock: the paragraph around the cursor.
function M.eval_block()
  local bufnr = vim.api.nvim_get_current_buf()
  return M.eval_chunk(bufnr, text.paragraph(bufnr, vim.api.nvim_win_get_cursor(0)[1]))
end

--- The last visual selection (called by the visual-mode mappings, after leaving visual mode).
function M.eval_visual()
  local bufnr = vim.api.nvim_get_current_buf()
  return M.eval_chunk(bufnr, text.selection(bufnr, vim.fn.visualmode()))
end

local function simple(op, done)
  return function()
    return M.request(op, {}, function(answer)
      if answer.ok then
        vim.notify('livemidi: ' .. done(answer), vim.log.levels.INFO)
      else
        fail(report.summary(answer.error or {}))
      end
    end)
  end
end

M.hush = simple('hush', function()
  return 'hushed: every loop is silent'
end)
M.panic = simple('panic', function()
  return 'panic: all notes off on every output'
end)
M.stop = simple('stop', function()
  return 'stopped'
end)
M.interrupt = simple('interrupt', function(answer)
  return answer.interrupted == true and 'the running eval was interrupted' or 'no eval was running'
end)
M.status = simple('status', report.status_line)

--- :LivemidiHighlight on|off (no argument: toggle): highlight the sounding steps.
function M.set_highlight(on)
  if on == nil then
    on = not M.options.highlight
  end
  M.options.highlight = on
  if not on then
    highlight.clear_steps()
  end
  local info, err = server_info()
  if info then
    subscribe()
  elseif on then
    vim.notify('livemidi: step highlighting is on; it starts once a session runs (' .. err .. ')', vim.log.levels.WARN)
  end
  vim.notify('livemidi: step highlighting ' .. (on and 'on' or 'off'), vim.log.levels.INFO)
end

local function unmap_all()
  for _, mapping in ipairs(state.mapped) do
    if vim.api.nvim_buf_is_valid(mapping.buf) then
      pcall(vim.keymap.del, mapping.mode, mapping.lhs, { buffer = mapping.buf })
    end
  end
  state.mapped = {}
end

local function map(buf, mode, lhs, rhs, desc)
  vim.keymap.set(mode, lhs, rhs, { buffer = buf, silent = true, desc = desc })
  table.insert(state.mapped, { buf = buf, mode = mode, lhs = lhs })
end

--- Put the configured keys on buffer `buf`.
function M.map_buffer(buf)
  local keys = M.options.keys
  if not keys then
    return
  end
  -- <Esc> first: the '< and '> marks are set when visual mode ends.
  local visual = '<Esc><Cmd>lua require("livemidi").eval_visual()<CR>'
  if keys.eval then
    map(buf, 'n', keys.eval, M.eval, 'livemidi: evaluate the line')
    map(buf, 'x', keys.eval, visual, 'livemidi: evaluate the selection')
  end
  if keys.eval_block then
    map(buf, 'n', keys.eval_block, M.eval_block, 'livemidi: evaluate the paragraph')
    map(buf, 'i', keys.eval_block, M.eval_block, 'livemidi: evaluate the paragraph')
    map(buf, 'x', keys.eval_block, visual, 'livemidi: evaluate the selection')
  end
  if keys.hush then
    map(buf, 'n', keys.hush, M.hush, 'livemidi: hush')
  end
  if keys.panic then
    map(buf, 'n', keys.panic, M.panic, 'livemidi: panic')
  end
  if keys.status then
    map(buf, 'n', keys.status, M.status, 'livemidi: status')
  end
end

local function check_options(options)
  for key in pairs(options) do
    if not vim.tbl_contains(OPTIONS, key) then
      error(('livemidi.setup: unknown option %q (expected one of: %s)'):format(key, table.concat(OPTIONS, ', ')), 3)
    end
  end
  if options.keys ~= nil and options.keys ~= false and type(options.keys) ~= 'table' then
    error(('livemidi.setup: keys should be a table or false, got %s'):format(vim.inspect(options.keys)), 3)
  end
end

--- Configure the plugin: `options` as in `defaults` (keys = false: no mappings).
function M.setup(options)
  options = options or {}
  check_options(options)
  local merged = vim.deepcopy(defaults)
  for key, value in pairs(options) do
    if key == 'keys' and type(value) == 'table' then
      merged.keys = vim.tbl_extend('force', defaults.keys, value)
    else
      merged[key] = value
    end
  end
  if vim.g.livemidi_no_mappings == 1 or vim.g.livemidi_no_mappings == true then
    merged.keys = false
  end
  M.options = merged
  M.configured = true
  highlight.define_groups()
  unmap_all()
  state.augroup = vim.api.nvim_create_augroup('livemidi', { clear = true })
  vim.api.nvim_create_autocmd('ColorScheme', { group = state.augroup, callback = highlight.define_groups })
  if merged.keys and #merged.filetypes > 0 then
    vim.api.nvim_create_autocmd('FileType', {
      group = state.augroup,
      pattern = merged.filetypes,
      callback = function(args)
        M.map_buffer(args.buf)
      end,
    })
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(merged.filetypes, vim.bo[buf].filetype) then
        M.map_buffer(buf)
      end
    end
  end
  if state.sub then
    subscribe() -- the events wanted may have changed
  end
end

return M
