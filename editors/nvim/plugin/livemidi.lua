-- livemidi for Neovim: the commands. The work is done in lua/livemidi/.
if vim.g.loaded_livemidi then
  return
end
vim.g.loaded_livemidi = true

if vim.fn.has('nvim-0.7') == 0 then
  vim.api.nvim_err_writeln('livemidi: this plugin needs Neovim 0.7 or newer')
  return
end

local function livemidi()
  return require('livemidi')
end

local command = vim.api.nvim_create_user_command

command('LivemidiEval', function(args)
  if args.range > 0 then
    livemidi().eval(args.line1, args.line2)
  else
    livemidi().eval()
  end
end, { range = true, desc = 'livemidi: evaluate the line, or the range' })
command('LivemidiEvalBlock', function()
  livemidi().eval_block()
end, { desc = 'livemidi: evaluate the paragraph around the cursor' })
command('LivemidiHush', function()
  livemidi().hush()
end, { desc = 'livemidi: silence every loop' })
command('LivemidiPanic', function()
  livemidi().panic()
end, { desc = 'livemidi: all notes off on every output' })
command('LivemidiStop', function()
  livemidi().stop()
end, { desc = 'livemidi: stop the transport' })
command('LivemidiInterrupt', function()
  livemidi().interrupt()
end, { desc = 'livemidi: interrupt the running eval' })
command('LivemidiStatus', function()
  livemidi().status()
end, { desc = 'livemidi: transport, tempo, position and loops' })
command('LivemidiHighlight', function(args)
  local word = args.args
  if word == 'on' then
    livemidi().set_highlight(true)
  elseif word == 'off' then
    livemidi().set_highlight(false)
  elseif word == '' then
    livemidi().set_highlight(nil)
  else
    vim.api.nvim_err_writeln(('livemidi: :LivemidiHighlight takes on or off (or nothing: toggle), got %q'):format(word))
  end
end, {
  nargs = '?',
  complete = function()
    return { 'on', 'off' }
  end,
  desc = 'livemidi: highlight the sounding steps (on|off)',
})

-- The default keys, unless the user's config called setup{} already (it may
-- call it later: its keys then replace these).
if not livemidi().configured then
  livemidi().setup({})
end
