-- Showing the session's answers: errors in the quickfix list and as diagnostics, the rest as messages.
--
-- The quickfix list titled "livemidi" holds the last eval's error, as `:make`
-- holds the last build's: an eval that succeeds empties it (a list of another
-- title is never touched). Diagnostics stay per block: an answer replaces
-- those inside the block it answers and keeps the others, so fixing one
-- block does not hide the error of another that still fails.

local null = require('livemidi.client').null

local M = {}

M.ns = vim.api.nvim_create_namespace('livemidi.errors')
M.TITLE = 'livemidi'

--- The loaded buffer that holds file `path`, or nil.
function M.buffer_for(path)
  if type(path) ~= 'string' or path == '' then
    return nil
  end
  local full = vim.fn.fnamemodify(path, ':p')
  local real = vim.loop.fs_realpath(full)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if vim.api.nvim_buf_is_loaded(buf) and name ~= '' and (name == full or (real and vim.loop.fs_realpath(name) == real)) then
      return buf
    end
  end
  return nil
end

--- Byte column of code point `column` (0-based) on line `lnum` (1-based) of `buf`; `column` itself without the buffer.
function M.byte_column(buf, lnum, column)
  if not buf or not column then
    return column or 0
  end
  local line = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1]
  if not line then
    return column
  end
  local ok, byte = pcall(vim.str_byteindex, line, column)
  return ok and byte or #line
end

--- `file:line: Type: message`, the one-line form of an error.
function M.summary(err)
  local where = ''
  if null(err.file) then
    where = null(err.line) and ('%s:%d: '):format(err.file, err.line) or (err.file .. ': ')
  end
  local kind = null(err.type) and (err.type .. ': ') or ''
  return where .. kind .. tostring(null(err.message) or err.kind or 'error')
end

--- Quickfix items for a "code" error: its place first, then the traceback's other frames.
function M.error_items(err, fallback)
  local file, line, column = null(err.file), null(err.line), null(err.column)
  local text = (null(err.type) and (err.type .. ': ') or '') .. tostring(null(err.message) or '')
  local main = { text = text, type = 'E' }
  if file and line then
    local buf = M.buffer_for(file)
    main.filename, main.lnum, main.col = file, line, M.byte_column(buf, line, column) + 1
  else
    main.bufnr, main.lnum = fallback.bufnr, fallback.lnum
  end
  local items = { main }
  for frame in tostring(null(err.traceback) or ''):gmatch('[^\n]+') do
    local name, lnum, rest = frame:match('^%s*File "(.-)", line (%d+)(.*)$')
    lnum = tonumber(lnum)
    if name and not (name == main.filename and lnum == main.lnum) then
      table.insert(items, { filename = name, lnum = lnum, text = 'traceback' .. rest, type = 'I' })
    end
  end
  return items
end

local function ours()
  return vim.fn.getqflist({ title = 0 }).title == M.TITLE
end

local function set_quickfix(items)
  vim.fn.setqflist({}, ours() and 'r' or ' ', { title = M.TITLE, items = items })
end

--- Replace the diagnostics of `buf` between lines `first` and `last` (1-based) with `new`.
local function set_diagnostics(buf, first, last, new)
  if not buf or not vim.api.nvim_buf_is_loaded(buf) then
    return
  end
  local kept = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(buf, { namespace = M.ns })) do
    if diagnostic.lnum < first - 1 or diagnostic.lnum > last - 1 then
      table.insert(kept, diagnostic)
    end
  end
  vim.list_extend(kept, new)
  vim.diagnostic.set(M.ns, buf, kept)
end

--- Show the answer to an eval of `chunk` (text.lua) sent from `bufnr`.
function M.eval_answer(bufnr, chunk, answer)
  if answer.ok then
    set_diagnostics(bufnr, chunk.first, chunk.last, {})
    if ours() then
      set_quickfix({})
    end
    local parts = {}
    local output = null(answer.output)
    if output and output ~= '' then
      table.insert(parts, (output:gsub('\n$', '')))
    end
    if null(answer.value) then
      table.insert(parts, answer.value)
    end
    vim.notify(#parts > 0 and table.concat(parts, '\n') or 'livemidi: ok', vim.log.levels.INFO)
    return
  end
  local err = answer.error or {}
  local printed = null(err.output)
  if type(printed) == 'string' and printed ~= '' then
    vim.notify((printed:gsub('\n$', '')), vim.log.levels.INFO) -- what the block printed before it failed
  end
  if err.kind ~= 'code' then
    vim.notify(('livemidi: %s'):format(M.summary(err)), vim.log.levels.ERROR)
    return
  end
  local items = M.error_items(err, { bufnr = bufnr, lnum = chunk.first })
  set_quickfix(items)
  local main = items[1]
  local target = main.bufnr or M.buffer_for(main.filename)
  -- This block's old diagnostics go in any case; the new one goes where the error is, when that file is open.
  set_diagnostics(bufnr, chunk.first, chunk.last, {})
  if target then
    local lnum = math.min(main.lnum, vim.api.nvim_buf_line_count(target))
    set_diagnostics(target, lnum, lnum, {
      {
        lnum = lnum - 1,
        col = (main.col or 1) > 0 and (main.col - 1) or 0,
        severity = vim.diagnostic.severity.ERROR,
        source = 'livemidi',
        message = main.text,
      },
    })
  end
  vim.notify(('livemidi: %s'):format(M.summary(err)), vim.log.levels.ERROR)
end

--- One line for a `status` answer: transport, tempo, position, loops.
function M.status_line(answer)
  local loops = {}
  for _, loop in ipairs(null(answer.loops) or {}) do
    table.insert(loops, tostring(loop.name) .. (loop.muted == true and ' (muted)' or ''))
  end
  local outputs = {}
  for _, output in ipairs(null(answer.outputs) or {}) do
    table.insert(outputs, type(output) == 'table' and tostring(output.name or vim.json.encode(output)) or tostring(output))
  end
  return ('%s, %s BPM, bar %s beat %s; loops: %s; outputs: %s'):format(
    answer.playing == true and 'playing' or 'stopped',
    tostring(null(answer.bpm)),
    tostring(null(answer.bar)),
    tostring(null(answer.beat)),
    #loops > 0 and table.concat(loops, ', ') or 'none',
    #outputs > 0 and table.concat(outputs, ', ') or 'none'
  )
end

return M
