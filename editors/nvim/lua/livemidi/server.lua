-- Finding the running livemidi session: the server file (docs/editors.md).
--
-- The lookup order is the one every livemidi client uses: the path given to
-- setup{}, then $LIVEMIDI_SERVER_FILE, then the platform's runtime directory.
-- A client that guessed another path would talk to no session, or to another
-- user's, so this is the only place that decides.

local uv = vim.loop

local M = {}

M.PROTOCOL = 1

local function join(...)
  local sep = uv.os_uname().sysname == 'Windows_NT' and '\\' or '/'
  return table.concat({ ... }, sep)
end

--- The server file's path: `explicit` (setup's `server_file`), else the documented lookup.
function M.path(explicit)
  if explicit and explicit ~= '' then
    return vim.fn.expand(explicit)
  end
  local env = os.getenv('LIVEMIDI_SERVER_FILE')
  if env and env ~= '' then
    return env
  end
  local system = uv.os_uname().sysname
  if system == 'Windows_NT' then
    return join(os.getenv('LOCALAPPDATA') or '', 'livemidi', 'server.json')
  end
  if system == 'Darwin' then
    local tmp = (os.getenv('TMPDIR') or '/tmp'):gsub('/$', '')
    return join(tmp, 'livemidi', 'server.json')
  end
  local runtime = os.getenv('XDG_RUNTIME_DIR')
  if runtime and runtime ~= '' then
    return join(runtime, 'livemidi', 'server.json')
  end
  return join('/tmp', 'livemidi-' .. uv.getuid(), 'server.json')
end

local HOW = 'start one with `livemidi` (the REPL) or `livemidi run FILE.py`'

--- Whether process `pid` is alive (true where that cannot be told).
local function alive(pid)
  if type(pid) ~= 'number' or uv.os_uname().sysname == 'Windows_NT' then
    return true
  end
  local ok, _, name = uv.kill(pid, 0)
  return ok == 0 or name ~= 'ESRCH'
end

--- The server file at `path` as a table {host, port, token, ...}, or nil and a message saying what is wrong.
function M.read(path)
  local file = io.open(path, 'r')
  if not file then
    return nil, ('no running livemidi session: %s does not exist (%s)'):format(path, HOW)
  end
  local text = file:read('*a')
  file:close()
  local ok, info = pcall(vim.json.decode, text)
  if not ok or type(info) ~= 'table' then
    return nil, ('%s should hold a JSON object (the livemidi server file), found %q'):format(path, text:sub(1, 80))
  end
  if info.protocol ~= M.PROTOCOL then
    return nil, ('the session in %s speaks protocol %s; this plugin speaks %d: update the one that is older')
      :format(path, tostring(info.protocol), M.PROTOCOL)
  end
  if type(info.port) ~= 'number' or type(info.token) ~= 'string' then
    return nil, ('%s should give a "port" (a number) and a "token" (a string), found %q'):format(path, text:sub(1, 120))
  end
  if not alive(info.pid) then
    return nil, ('no running livemidi session: %s is stale (its process %d is gone); %s'):format(path, info.pid, HOW)
  end
  info.host = type(info.host) == 'string' and info.host or '127.0.0.1'
  info.path = path
  return info
end

return M
