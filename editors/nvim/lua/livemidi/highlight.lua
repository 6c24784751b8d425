-- Extmark highlights: the flash of an evaluated block, and the steps that sound.
--
-- A play event says how many seconds from now its note sounds (`at`) and
-- for how long (`duration`), and which spans of the source made it
-- (`locations`: 1-based lines, 0-based code-point columns, end exclusive).
-- Columns are converted to bytes on the buffer's line as it is when the
-- step sounds: an edited line may show the step a little off, never raise.

local report = require('livemidi.report')

local M = {}

M.flash_ns = vim.api.nvim_create_namespace('livemidi.flash')
M.step_ns = vim.api.nvim_create_namespace('livemidi.steps')

function M.define_groups()
  vim.api.nvim_set_hl(0, 'LivemidiFlash', { default = true, link = 'IncSearch' })
  vim.api.nvim_set_hl(0, 'LivemidiStep', { default = true, link = 'Search' })
end

local function remove_later(buf, ns, id, ms)
  vim.defer_fn(function()
    if vim.api.nvim_buf_is_valid(buf) then
      pcall(vim.api.nvim_buf_del_extmark, buf, ns, id)
    end
  end, math.max(0, math.floor(ms)))
end

--- Flash `chunk` (text.lua) in `buf` for `ms` milliseconds.
function M.flash(buf, chunk, ms)
  if ms <= 0 then
    return
  end
  local last_line = vim.api.nvim_buf_get_lines(buf, chunk.last - 1, chunk.last, false)[1] or ''
  local opts = {
    end_row = chunk.last - 1,
    end_col = chunk.end_col or #last_line,
    hl_group = 'LivemidiFlash',
    hl_eol = chunk.end_col == nil,
    priority = 200,
  }
  local ok, id = pcall(vim.api.nvim_buf_set_extmark, buf, M.flash_ns, chunk.first - 1, chunk.start_col or 0, opts)
  if ok then
    remove_later(buf, M.flash_ns, id, ms)
  end
end

--- Highlight one location of a sounding step now, for `ms` milliseconds.
local function mark(location, ms)
  local buf = report.buffer_for(location.source)
  local line = tonumber(location.line)
  if not buf or not line or line < 1 or line > vim.api.nvim_buf_line_count(buf) then
    return
  end
  local start = report.byte_column(buf, line, tonumber(location.column) or 0)
  local finish = report.byte_column(buf, line, tonumber(location.end_column) or (tonumber(location.column) or 0) + 1)
  if finish <= start then
    return
  end
  local ok, id = pcall(vim.api.nvim_buf_set_extmark, buf, M.step_ns, line - 1, start,
    { end_row = line - 1, end_col = finish, hl_group = 'LivemidiStep', priority = 150 })
  if ok then
    remove_later(buf, M.step_ns, id, ms)
  end
end

--- Schedule the highlights of one play event.
function M.play(event)
  local locations = event.locations
  if type(locations) ~= 'table' or #locations == 0 then
    return
  end
  local at = math.max(0, (tonumber(event.at) or 0) * 1000)
  -- A step shorter than a frame would not be seen: show it for 50 ms at least.
  local ms = math.max(50, (tonumber(event.duration) or 0.1) * 1000)
  vim.defer_fn(function()
    for _, location in ipairs(locations) do
      if type(location) == 'table' then
        mark(location, ms)
      end
    end
  end, math.floor(at))
end

--- Remove every step highlight from every buffer (highlighting was turned off).
function M.clear_steps()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      vim.api.nvim_buf_clear_namespace(buf, M.step_ns, 0, -1)
    end
  end
end

return M
