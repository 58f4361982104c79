-- Neovim with no codomyrmex binary: setup() must say how to install it, and :checkhealth must say ERROR.
-- Env: PLUGIN_DIR, OUT. Run with PATH lacking codomyrmex and HOME without ~/.cargo/bin/codomyrmex.
local out = assert(os.getenv("OUT"))
local checks = {}
local function check(name, ok, detail)
  table.insert(checks, { name = name, ok = ok and true or false, detail = detail or "" })
end
local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(assert(os.getenv("PLUGIN_DIR")))
  local messages = {}
  vim.notify = function(msg, level)
    table.insert(messages, { msg = msg, level = level })
  end
  local codomyrmex = require("codomyrmex")
  local method = codomyrmex.setup({})
  local msg = messages[1] and messages[1].msg or ""
  check("missing binary: setup() fails with the install command", method == nil and msg:find("cargo install --path .", 1, true) ~= nil
    and messages[1].level == vim.log.levels.ERROR, msg)
  check("missing binary: user commands still exist", vim.fn.exists(":CodomyrmexDoctor") == 2)
  vim.cmd("checkhealth codomyrmex")
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  check("missing binary: checkhealth reports ERROR with the install advice", text:find("ERROR", 1, true) ~= nil
    and text:find("cargo install --path .", 1, true) ~= nil, text:sub(1, 500))
end)
if not ok then
  check("missing-binary probe ran", false, tostring(err))
end
local f = io.open(out, "w")
f:write(vim.fn.json_encode({ checks = checks }))
f:close()
vim.cmd("qall!")
