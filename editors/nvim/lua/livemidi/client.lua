-- One connection to the livemidi eval server: JSON lines over libuv TCP.
--
-- Every request gets an id and its answer is matched by that id; lines
-- without an id are events (after `subscribe`). Callbacks always run on
-- Neovim's main loop (vim.schedule), never inside libuv's callbacks, where
-- most of the API may not be called. A connection that fails or closes
-- answers every request still waiting with an error of kind "connection",
-- so no caller waits forever.

local uv = vim.loop

local M = {}

local Connection = {}
Connection.__index = Connection

local function null(value)
  if value == vim.NIL then
    return nil
  end
  return value
end
M.null = null

--- Connect to the server that `info` (server.read) describes; `handlers`: on_event(event), on_close(reason).
function M.connect(info, handlers)
  local self = setmetatable({
    info = info,
    handlers = handlers or {},
    pending = {},
    queue = {},
    buffer = '',
    next_id = 0,
    state = 'connecting',
  }, Connection)
  self.tcp = uv.new_tcp()
  local ok, err = pcall(self.tcp.connect, self.tcp, info.host, info.port, function(connect_error)
    if connect_error then
      self:_close(('no running livemidi session: nothing answers on %s:%d (%s; %s is stale)')
        :format(info.host, info.port, connect_error, info.path or 'the server file'))
      return
    end
    self.state = 'open'
    self.tcp:read_start(function(read_error, chunk)
      if read_error then
        self:_close('the connection to livemidi failed: ' .. read_error)
      elseif chunk == nil then
        self:_close('the livemidi session closed the connection')
      else
        self:_receive(chunk)
      end
    end)
    for _, line in ipairs(self.queue) do
      self.tcp:write(line)
    end
    self.queue = {}
  end)
  if not ok then
    -- A host that is not an address (a hand-edited file) fails here, not in the callback.
    self:_close(('cannot connect to %s:%s: %s'):format(tostring(info.host), tostring(info.port), err))
  end
  return self
end

function Connection:is_usable()
  return self.state == 'connecting' or self.state == 'open'
end

--- Send `op` with `fields`; `callback(answer)` gets the answer table (answer.ok, answer.error...).
function Connection:request(op, fields, callback)
  self.next_id = self.next_id + 1
  local id = self.next_id
  local message = vim.tbl_extend('force', fields or {}, { id = id, token = self.info.token, op = op, protocol = 1 })
  local line = vim.json.encode(message) .. '\n'
  if not self:is_usable() then
    local reason = self.reason
    vim.schedule(function()
      callback({ id = id, ok = false, error = { kind = 'connection', message = reason } })
    end)
    return id
  end
  self.pending[id] = callback
  if self.state == 'open' then
    self.tcp:write(line)
  else
    table.insert(self.queue, line)
  end
  return id
end

function Connection:_receive(chunk)
  self.buffer = self.buffer .. chunk
  while true do
    local newline = self.buffer:find('\n', 1, true)
    if not newline then
      return
    end
    local line = self.buffer:sub(1, newline - 1)
    self.buffer = self.buffer:sub(newline + 1)
    if line:match('%S') then
      self:_dispatch(line)
    end
  end
end

function Connection:_dispatch(line)
  local ok, message = pcall(vim.json.decode, line)
  if not ok or type(message) ~= 'table' then
    vim.schedule(function()
      vim.notify('livemidi: the session sent a line that is not a JSON object: ' .. line:sub(1, 200), vim.log.levels.WARN)
    end)
    return
  end
  local id = null(message.id)
  if id == nil then
    if self.handlers.on_event then
      vim.schedule(function()
        self.handlers.on_event(message)
      end)
    end
    return
  end
  local callback = self.pending[id]
  self.pending[id] = nil
  if callback then
    vim.schedule(function()
      callback(message)
    end)
  end
end

function Connection:_close(reason)
  if self.state == 'closed' then
    return
  end
  self.state = 'closed'
  self.reason = reason
  if not self.tcp:is_closing() then
    self.tcp:close()
  end
  local pending = self.pending
  self.pending = {}
  self.queue = {}
  vim.schedule(function()
    for id, callback in pairs(pending) do
      callback({ id = id, ok = false, error = { kind = 'connection', message = reason } })
    end
    if self.handlers.on_close then
      self.handlers.on_close(reason)
    end
  end)
end

--- Close the connection; requests still waiting are answered with an error.
function Connection:close()
  self:_close('closed by the editor')
end

return M
