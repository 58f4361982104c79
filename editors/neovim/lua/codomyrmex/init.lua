-- codomyrmex for Neovim: starts `codomyrmex lsp` and adds user commands for the AI actions.
--
--   require("codomyrmex").setup({ settings = { providers = { ollama = { default_model = "llama3.2" } } } })
--
-- Works on Neovim 0.7 (vim.lsp.start_client), 0.8–0.10 (vim.lsp.start) and 0.11+ (vim.lsp.config/enable).

local M = {}

M.name = "codomyrmex"

M.defaults = {
  -- Server argv; nil = { <codomyrmex found on PATH or in ~/.cargo/bin>, "lsp" }.
  cmd = nil,
  filetypes = {
    "python", "rust", "javascript", "javascriptreact", "typescript", "typescriptreact",
    "go", "java", "c", "cpp", "ruby", "sh", "bash", "json", "yaml", "toml",
  },
  root_markers = { ".codomyrmex", ".git", "Cargo.toml", "pyproject.toml", "setup.py", "package.json", "go.mod", "pom.xml" },
  -- Sent in initializationOptions (next to `trusted` and `client`) and as `settings.codomyrmex` in
  -- workspace/didChangeConfiguration; same field names as the YAML files
  -- (providers = { openai = { enabled = true, api_key = os.getenv("OPENAI_API_KEY") } }, privacy = { mode = "redact" }, …).
  settings = {},
  -- false: diagnostics only; no AI, no rules or actions from the workspace's .codomyrmex/.
  -- A function(root_dir) -> boolean decides per project.
  trusted = true,
  -- CODOMYRMEX_LOG_LEVEL for the server (its stderr goes to :CodomyrmexLog / :LspLog).
  log_level = nil,
  on_attach = nil,
  capabilities = nil,
  -- Create the :Codomyrmex* user commands.
  commands = true,
  -- How to start the client: nil = the newest API this Neovim has ("enable" on 0.11+, "start" on
  -- 0.8+, "start_client" on 0.7). Forcing an older one is for troubleshooting and tests.
  method = nil,
}

M.config = vim.deepcopy(M.defaults)

local function has(v)
  return vim.fn.has("nvim-" .. v) == 1
end

local function notify(msg, level)
  vim.notify("codomyrmex: " .. msg, level or vim.log.levels.INFO)
end

-- ------------------------------------------------------------------ binary discovery

local function is_executable(p)
  return p ~= nil and p ~= "" and vim.fn.executable(p) == 1
end

--- Path of the codomyrmex binary, or nil and the places looked at.
function M.find_binary()
  local tried = {}
  local env_bin = os.getenv("CODOMYRMEX_BIN")
  if env_bin and env_bin ~= "" then
    table.insert(tried, env_bin)
    if is_executable(env_bin) then
      return vim.fn.fnamemodify(env_bin, ":p"), tried
    end
  end
  local on_path = vim.fn.exepath("codomyrmex")
  table.insert(tried, "PATH")
  if on_path ~= "" then
    return on_path, tried
  end
  local cargo_home = os.getenv("CARGO_HOME")
  if not cargo_home or cargo_home == "" then
    cargo_home = vim.fn.expand("~/.cargo")
  end
  local cargo_bin = cargo_home .. "/bin/codomyrmex"
  table.insert(tried, cargo_bin)
  if is_executable(cargo_bin) then
    return cargo_bin, tried
  end
  return nil, tried
end

local function resolve_cmd()
  local cmd = M.config.cmd
  if type(cmd) == "string" then
    cmd = { cmd, "lsp" }
  end
  if cmd then
    if not is_executable(cmd[1]) then
      return nil, ("'%s' is not an executable; install codomyrmex with `cargo install --path .` or fix `cmd`"):format(cmd[1])
    end
    return cmd
  end
  local bin, tried = M.find_binary()
  if not bin then
    return nil,
      ("codomyrmex not found (looked in %s). Install it with `cargo install --path .` in a checkout of codomyrmex, or pass cmd = { '/path/to/codomyrmex', 'lsp' } to setup()")
        :format(table.concat(tried, ", "))
  end
  return { bin, "lsp" }
end

-- ------------------------------------------------------------------ config pieces

local function is_trusted(root_dir)
  local t = M.config.trusted
  if type(t) == "function" then
    return t(root_dir) and true or false
  end
  return t ~= false
end

--- initializationOptions sent to the server: the settings' keys (providers, privacy, ai, rules, …)
--- at the top level, plus `trusted` and `client`.
function M.init_options(root_dir)
  local v = vim.version and vim.version() or nil
  local version = v and ("%d.%d.%d"):format(v.major, v.minor, v.patch) or "0.7"
  local opts = vim.deepcopy(M.config.settings or {})
  opts.trusted = is_trusted(root_dir)
  opts.client = { name = "Neovim", version = version, extension_version = "0.1.0" }
  return opts
end

local function find_root(fname)
  local dir = vim.fn.fnamemodify(fname, ":p:h")
  local home = vim.loop.os_homedir()
  while dir and dir ~= "" do
    for _, marker in ipairs(M.config.root_markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir or dir == home then
      break
    end
    dir = parent
  end
  -- No project marker: the file's own directory (single-file mode).
  return vim.fn.fnamemodify(fname, ":p:h")
end

local function cmd_env()
  local env = nil
  if M.config.log_level then
    env = { CODOMYRMEX_LOG_LEVEL = M.config.log_level }
  end
  return env
end

local function on_attach(client, bufnr)
  if M.config.on_attach then
    M.config.on_attach(client, bufnr)
  end
end

local function client_config(cmd, root_dir)
  return {
    name = M.name,
    cmd = cmd,
    cmd_env = cmd_env(),
    root_dir = root_dir,
    init_options = M.init_options(root_dir),
    settings = { codomyrmex = M.config.settings or {} },
    capabilities = M.config.capabilities,
    on_attach = on_attach,
  }
end

-- ------------------------------------------------------------------ clients (version compat)

function M.get_clients(bufnr)
  local out = {}
  local list
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  elseif bufnr then
    list = vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
  else
    list = vim.lsp.get_active_clients()
  end
  for _, c in ipairs(list) do
    if c.name == M.name then
      table.insert(out, c)
    end
  end
  return out
end

local function request(client, method, params, handler, bufnr)
  if has("0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

-- 0.7: one client per root, attached by hand.
local clients_by_root = {}

local function start_07(bufnr, cmd)
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == "" then
    return
  end
  local root = find_root(fname)
  local id = clients_by_root[root]
  if id and not vim.lsp.get_client_by_id(id) then
    id = nil
  end
  if not id then
    id = vim.lsp.start_client(client_config(cmd, root))
    if not id then
      notify("failed to start " .. table.concat(cmd, " "), vim.log.levels.ERROR)
      return
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

local function start_08(bufnr, cmd)
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == "" then
    return
  end
  vim.lsp.start(client_config(cmd, find_root(fname)), { bufnr = bufnr })
end

local function setup_lsp(cmd)
  local method = M.config.method
  if (method == nil or method == "enable") and vim.lsp.config and vim.lsp.enable and has("0.11") then
    vim.lsp.config(M.name, {
      cmd = cmd,
      cmd_env = cmd_env(),
      filetypes = M.config.filetypes,
      root_markers = M.config.root_markers,
      -- Per-root trust needs the root: computed when the client starts.
      before_init = function(params, config)
        params.initializationOptions = M.init_options(config.root_dir)
      end,
      init_options = M.init_options(nil),
      settings = { codomyrmex = M.config.settings or {} },
      capabilities = M.config.capabilities,
      on_attach = on_attach,
    })
    vim.lsp.enable(M.name)
    -- vim.lsp.enable() only re-runs FileType for open buffers after VimEnter; when setup() runs
    -- earlier (init.lua with files on the command line), attach those buffers ourselves.
    if vim.v.vim_did_enter ~= 1 then
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(M.config.filetypes, vim.bo[b].filetype) then
          pcall(vim.api.nvim_exec_autocmds, "FileType", { group = "nvim.lsp.enable", buffer = b })
        end
      end
    end
    return "vim.lsp.enable"
  end
  local start = start_07
  if vim.lsp.start and method ~= "start_client" then
    start = start_08
  end
  local group = vim.api.nvim_create_augroup("codomyrmex_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      start(args.buf, cmd)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(M.config.filetypes, vim.bo[b].filetype) then
      start(b, cmd)
    end
  end
  return start == start_08 and "vim.lsp.start" or "vim.lsp.start_client"
end

-- ------------------------------------------------------------------ commands

local function client_for(bufnr)
  local c = M.get_clients(bufnr)[1]
  if not c then
    notify("no codomyrmex server is attached to this buffer (see :checkhealth codomyrmex)", vim.log.levels.WARN)
  end
  return c
end

--- LSP range of the command's range (visual selection) or of the cursor.
local function lsp_range(opts, bufnr, client)
  local enc = client.offset_encoding or "utf-16"
  local s, e
  if opts and opts.range and opts.range > 0 then
    local last = vim.fn.getline(opts.line2)
    s, e = { opts.line1, 0 }, { opts.line2, math.max(#last - 1, 0) }
  else
    local cur = vim.api.nvim_win_get_cursor(0)
    s, e = cur, cur
  end
  return vim.lsp.util.make_given_range_params(s, e, bufnr, enc).range
end

local function show_text(title, text)
  if text == nil or text == "" then
    return
  end
  local lines = vim.split(text, "\n", { plain = true })
  if #lines <= 1 and #text < 200 then
    notify(title .. ": " .. text)
    return
  end
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = "markdown"
  vim.bo[buf].modifiable = false
  pcall(vim.api.nvim_buf_set_name, buf, "codomyrmex://" .. title:gsub("%s", "-"))
end

local function result_text(result)
  if result == nil or result == vim.NIL then
    return nil
  end
  if type(result) == "string" then
    return result
  end
  if type(result) == "table" then
    for _, k in ipairs({ "text", "markdown", "message", "report", "value", "explanation" }) do
      if type(result[k]) == "string" then
        return result[k]
      end
    end
  end
  return vim.inspect(result)
end

--- Runs a server command; `cb(err, result)` when given, else the result is shown.
function M.execute(command, args, bufnr, cb)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return
  end
  request(client, "workspace/executeCommand", { command = command, arguments = args }, function(err, result)
    if cb then
      return cb(err, result)
    end
    if err then
      notify(command .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    show_text(command, result_text(result))
  end, bufnr)
end

function M.ai(action, opts, instruction)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    return
  end
  local args = { uri = vim.uri_from_bufnr(bufnr), range = lsp_range(opts, bufnr, client), action = action }
  if instruction and instruction:match("%S") then
    args.instruction = instruction
  end
  -- Edits come back as workspace/applyEdit; text results (explain) are shown.
  M.execute("codomyrmex.ai.run", { args }, bufnr)
end

function M.refactor(opts)
  local given = opts and opts.args or ""
  if given:match("%S") then
    return M.ai("rewrite", opts, given)
  end
  vim.ui.input({ prompt = "Refactor with AI: " }, function(input)
    if input and input:match("%S") then
      M.ai("rewrite", opts, input)
    end
  end)
end

function M.doctor_text()
  local bin = (M.config.cmd and (type(M.config.cmd) == "string" and M.config.cmd or M.config.cmd[1])) or M.find_binary()
  if not bin or not is_executable(bin) then
    return nil, "codomyrmex binary not found"
  end
  local out = vim.fn.system({ bin, "doctor" })
  return out, vim.v.shell_error
end

function M.doctor()
  local bufnr = vim.api.nvim_get_current_buf()
  if M.get_clients(bufnr)[1] then
    return M.execute("codomyrmex.doctor", {}, bufnr, function(err, result)
      if err then
        local out = M.doctor_text()
        return show_text("doctor", out or ("doctor failed: " .. (err.message or "")))
      end
      show_text("doctor", result_text(result))
    end)
  end
  local out, code = M.doctor_text()
  show_text("doctor", out or code)
end

local function create_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd("CodomyrmexRefactor", M.refactor, { nargs = "*", range = true, desc = "Refactor with AI (asks for an instruction)" })
  cmd("CodomyrmexExplain", function(o) M.ai("explain", o) end, { range = true, desc = "Explain the code with AI" })
  cmd("CodomyrmexDocument", function(o) M.ai("document", o) end, { range = true, desc = "Add types and docs with AI" })
  cmd("CodomyrmexTests", function(o) M.ai("tests", o) end, { range = true, desc = "Write tests with AI" })
  cmd("CodomyrmexWorkflow", function(o)
    local bufnr = vim.api.nvim_get_current_buf()
    local name = o.args ~= "" and o.args or "review"
    M.execute("codomyrmex.workflow.run", { { name = name, uri = vim.uri_from_bufnr(bufnr) } }, bufnr)
  end, { nargs = "?", desc = "Run a workflow (default: review)" })
  cmd("CodomyrmexIndex", function()
    M.execute("codomyrmex.index.rebuild", {})
  end, { desc = "Rebuild the local index" })
  cmd("CodomyrmexDoctor", M.doctor, { desc = "Show codomyrmex doctor" })
  cmd("CodomyrmexLog", function()
    vim.cmd("tabnew " .. vim.fn.fnameescape(vim.lsp.get_log_path()))
  end, { desc = "Open the LSP log (server stderr lands here)" })
end

-- ------------------------------------------------------------------ setup

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  -- Lists are replaced, not merged.
  if opts and opts.filetypes then
    M.config.filetypes = opts.filetypes
  end
  if opts and opts.root_markers then
    M.config.root_markers = opts.root_markers
  end
  if M.config.commands then
    create_commands()
  end
  local cmd, err = resolve_cmd()
  if not cmd then
    M.setup_error = err
    notify(err, vim.log.levels.ERROR)
    return nil
  end
  M.setup_error = nil
  M.cmd = cmd
  M.method = setup_lsp(cmd)
  return M.method
end

return M
