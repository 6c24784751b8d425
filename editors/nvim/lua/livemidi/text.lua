-- What to send: a line, a range, a visual selection or the paragraph around the cursor.
--
-- Each function returns a chunk {code, first, last, start_col, end_col}:
-- `first`/`last` are 1-based buffer lines (`first` becomes the eval's "line",
-- so the session's tracebacks point into this buffer), the columns are
-- 0-based byte columns for the flash (end exclusive; nil: the whole line).

local M = {}

local function chunk(lines, first, last, start_col, end_col)
  return { code = table.concat(lines, '\n') .. '\n', first = first, last = last, start_col = start_col, end_col = end_col }
end

local function blank(line)
  return line == nil or not line:match('%S')
end

--- Lines `first`..`last` (1-based, inclusive) of `bufnr`.
function M.lines(bufnr, first, last)
  return chunk(vim.api.nvim_buf_get_lines(bufnr, first - 1, last, false), first, last)
end

--- The paragraph around line `row` (1-based): the lines up to the blank lines around it; nil on a blank line.
function M.paragraph(bufnr, row)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  if blank(lines[row]) then
    return nil
  end
  local first, last = row, row
  while first > 1 and not blank(lines[first - 1]) do
    first = first - 1
  end
  while last < #lines and not blank(lines[last + 1]) do
    last = last + 1
  end
  return M.lines(bufnr, first, last)
end

--- The last visual selection of `bufnr` (marks '< and '>, in mode `mode`: 'v', 'V' or CTRL-V).
function M.selection(bufnr, mode)
  local start = vim.api.nvim_buf_get_mark(bufnr, '<')
  local finish = vim.api.nvim_buf_get_mark(bufnr, '>')
  local first, last = start[1], finish[1]
  if first == 0 or last == 0 then
    return nil
  end
  if mode ~= 'v' then
    -- Linewise, and blockwise too: a column of code means nothing to Python on its own.
    return M.lines(bufnr, first, last)
  end
  local lines = vim.api.nvim_buf_get_lines(bufnr, first - 1, last, false)
  local tail = lines[#lines]
  -- The '> mark is the first byte of the last character (or past the end after `$`): take the whole character.
  local end_col = math.min(finish[2], #tail)
  if end_col < #tail then
    local char = vim.fn.charidx(tail, end_col)
    end_col = char >= 0 and vim.fn.byteidx(tail, char + 1) or #tail
    if end_col < 0 then
      end_col = #tail
    end
  end
  lines[#lines] = tail:sub(1, end_col)
  lines[1] = lines[1]:sub(start[2] + 1)
  return chunk(lines, first, last, start[2], end_col)
end

return M
