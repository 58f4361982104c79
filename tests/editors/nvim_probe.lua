-- Headless Neovim probe for editors/neovim against a real server.
--   nvim --headless --clean -u NONE -c 'luafile tests/editors/nvim_probe.lua'
-- Env: PLUGIN_DIR (editors/neovim), CODOMYRMEX_BIN, PY_FILE, JS_FILE (sample files), OUT (JSON result),
--      TIMEOUT_MS (per wait, default 20000).
-- Writes {"nvim": version, "method": ..., "checks": [{"name","ok","detail"}], ...} to OUT and quits.

local out_path = assert(os.getenv("OUT"), "OUT not set")
local timeout = tonumber(os.getenv("TIMEOUT_MS") or "20000")
local result = { checks = {} }

local function json(v)
  return vim.fn.json_encode(v)
end

local function finish(code)
  local f = io.open(out_path, "w")
  f:write(json(result))
  f:close()
  if code == 0 then
    vim.cmd("qall!")
  else
    vim.cmd("cquit! " .. code)
  end
end

local function check(name, ok, detail)
  table.insert(result.checks, { name = name, ok = ok and true or false, detail = detail or "" })
  return ok
end

-- Watchdog: never hang the test suite.
vim.defer_fn(function()
  check("watchdog", false, "probe did not finish in time")
  finish(3)
end, timeout * 6)

local ok_all, err = pcall(function()
  local v = vim.version()
  result.nvim = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  vim.opt.runtimepath:prepend(assert(os.getenv("PLUGIN_DIR")))
  vim.cmd("filetype on")

  -- The JavaScript file is open before setup() runs (lazy loading, files on the command line):
  -- the plugin must attach to it too.
  if os.getenv("JS_FILE") then
    vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("JS_FILE")))
  end

  local codomyrmex = require("codomyrmex")
  local bin = assert(os.getenv("CODOMYRMEX_BIN"))
  result.method = codomyrmex.setup({
    cmd = { bin, "lsp" },
    log_level = "debug",
    settings = { ai = { hover = false } },
    method = os.getenv("NVIM_METHOD") ~= "" and os.getenv("NVIM_METHOD") or nil,
  })
  check("setup", result.method ~= nil, tostring(result.method) .. " " .. tostring(codomyrmex.setup_error))
  check(
    "user commands",
    vim.fn.exists(":CodomyrmexRefactor") == 2 and vim.fn.exists(":CodomyrmexExplain") == 2
      and vim.fn.exists(":CodomyrmexIndex") == 2 and vim.fn.exists(":CodomyrmexDoctor") == 2,
    "CodomyrmexRefactor/Explain/Index/Doctor"
  )

  local io_opts = codomyrmex.init_options(nil)
  check(
    "initializationOptions: trusted + client + settings",
    io_opts.trusted == true and io_opts.client.name == "Neovim" and io_opts.ai.hover == false,
    json(io_opts)
  )

  local function open_and_wait(path, want_code)
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    local client
    local initialized = vim.wait(timeout, function()
      client = codomyrmex.get_clients(buf)[1]
      return client ~= nil and client.initialized == true
    end, 50)
    if not check(vim.bo[buf].filetype .. ": client attached and initialized", initialized, client and ("client " .. client.id) or "no client") then
      return buf, nil, {}
    end
    local diags = {}
    local got = vim.wait(timeout, function()
      diags = vim.diagnostic.get(buf)
      for _, d in ipairs(diags) do
        if d.code == want_code then
          return true
        end
      end
      return false
    end, 50)
    local found
    for _, d in ipairs(diags) do
      if d.code == want_code then
        found = d
      end
    end
    check(
      vim.bo[buf].filetype .. ": diagnostic " .. want_code,
      got and found and found.source == "codomyrmex",
      found and ("line %d: [%s] %s"):format(found.lnum + 1, tostring(found.source), found.message)
        or ("got: " .. json(vim.tbl_map(function(d) return d.code end, diags)))
    )
    return buf, client, found
  end

  -- Python: diagnostics, hover, code actions, commands.
  local buf, client, diag = open_and_wait(assert(os.getenv("PY_FILE")), "python.bare-except")
  if client and diag then
    local pos = { line = diag.lnum, character = diag.col }
    local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = pos,
    }, timeout)
    local text = ""
    for _, r in pairs(hover or {}) do
      if r.result and r.result.contents then
        local c = r.result.contents
        text = type(c) == "string" and c or (c.value or json(c))
      elseif r.error then
        text = "error: " .. json(r.error)
      end
    end
    result.hover = text
    check("python: hover answers", text ~= "" and not text:match("^error"), text:sub(1, 200))

    local lsp_diag = {
      range = { start = { line = diag.lnum, character = diag.col }, ["end"] = { line = diag.end_lnum or diag.lnum, character = diag.end_col or diag.col } },
      severity = diag.severity,
      message = diag.message,
      source = diag.source,
      code = diag.code,
    }
    local ud = diag.user_data and diag.user_data.lsp
    if type(ud) == "table" then
      lsp_diag.data = ud.data
      lsp_diag.codeDescription = ud.codeDescription
    end
    local actions = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag } },
    }, timeout)
    local kinds, titles = {}, {}
    for _, r in pairs(actions or {}) do
      for _, a in ipairs(r.result or {}) do
        if a.kind then
          kinds[a.kind] = true
        end
        table.insert(titles, (a.kind or "?") .. ": " .. (a.title or ""))
      end
    end
    result.code_actions = titles
    local missing = {}
    for _, k in ipairs({ "refactor.ai.rewrite", "refactor.ai.document", "refactor.ai.tests", "quickfix.ai" }) do
      if not kinds[k] then
        table.insert(missing, k)
      end
    end
    check("python: AI code actions listed", #missing == 0, #missing == 0 and table.concat(titles, " | ") or ("missing " .. table.concat(missing, ", ") .. "; got " .. table.concat(titles, " | ")))
    check("python: a quickfix is offered", kinds["quickfix"] == true, table.concat(titles, " | "))

    local doc = vim.lsp.buf_request_sync(buf, "workspace/executeCommand", { command = "codomyrmex.doctor", arguments = {} }, timeout)
    local dtext = ""
    for _, r in pairs(doc or {}) do
      if r.result ~= nil then
        dtext = type(r.result) == "string" and r.result or json(r.result)
      elseif r.error then
        dtext = "error: " .. json(r.error)
      end
    end
    result.doctor_command = dtext
    check("python: executeCommand codomyrmex.doctor", dtext ~= "" and not dtext:match("^error"), dtext:sub(1, 200))

    -- :CodomyrmexIndex → codomyrmex.index.rebuild (the project is two files: quick).
    local idx_answered, idx_err, idx_result
    local orig_exec = codomyrmex.execute
    codomyrmex.execute = function(command, args, bufnr, _)
      return orig_exec(command, args, bufnr, function(e, r)
        idx_answered, idx_err, idx_result = true, e, r
      end)
    end
    vim.cmd("CodomyrmexIndex")
    vim.wait(timeout * 2, function() return idx_answered end, 50)
    codomyrmex.execute = orig_exec
    local idx_msg = idx_err and (idx_err.message or json(idx_err)) or json(idx_result)
    result.index_answer = idx_msg
    check("python: :CodomyrmexIndex runs codomyrmex.index.rebuild", idx_answered and idx_err == nil, idx_msg)

    -- :CodomyrmexRefactor asks with vim.ui.input and sends codomyrmex.ai.run {uri, range, action, instruction}.
    -- No model runs here: any answer (a result, or an error saying no provider answered) is fine, as long
    -- as the server knows the command.
    local sent, answered, answer_err
    vim.ui.input = function(_, cb)
      cb("use a with statement")
    end
    local orig = codomyrmex.execute
    codomyrmex.execute = function(command, args, bufnr, _)
      sent = { command = command, args = args }
      return orig(command, args, bufnr, function(e, _)
        answered, answer_err = true, e
      end)
    end
    vim.api.nvim_win_set_cursor(0, { diag.lnum + 1, diag.col })
    vim.cmd("CodomyrmexRefactor")
    vim.wait(timeout, function() return answered end, 50)
    codomyrmex.execute = orig
    local a = sent and sent.args and sent.args[1] or {}
    check(
      "python: :CodomyrmexRefactor sends codomyrmex.ai.run",
      sent and sent.command == "codomyrmex.ai.run" and a.action == "rewrite" and a.instruction == "use a with statement"
        and a.uri == vim.uri_from_bufnr(buf) and a.range and a.range.start.line == diag.lnum,
      json(sent)
    )
    local emsg = answer_err and (answer_err.message or json(answer_err)) or ""
    result.ai_run_answer = answered and (answer_err and ("error: " .. emsg) or "result") or "no answer"
    check(
      "python: server answers codomyrmex.ai.run",
      answered and not emsg:lower():match("unknown command") and not emsg:lower():match("not supported") and (answer_err == nil or answer_err.code ~= -32601),
      result.ai_run_answer
    )
  end

  -- JavaScript: a second filetype, in a buffer opened before setup().
  if os.getenv("JS_FILE") then
    open_and_wait(os.getenv("JS_FILE"), "javascript.debugger")
  end

  -- :checkhealth codomyrmex
  vim.cmd("checkhealth codomyrmex")
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  result.checkhealth = lines
  local text = table.concat(lines, "\n")
  local ok_bin = text:match("OK:?%s*binary:") ~= nil or text:match("OK.-binary:") ~= nil
  local ok_ver = text:match("OK:?%s*version:") ~= nil or text:match("OK.-version:") ~= nil
  local errors = {}
  for _, l in ipairs(lines) do
    if l:match("ERROR") then
      table.insert(errors, l)
    end
  end
  check("checkhealth codomyrmex: binary and version OK", ok_bin and ok_ver, ok_bin and ok_ver and "" or text:sub(1, 600))
  check("checkhealth codomyrmex: no ERROR", #errors == 0, table.concat(errors, " / "))
end)

if not ok_all then
  check("probe ran", false, tostring(err))
end
local failed = 0
for _, c in ipairs(result.checks) do
  if not c.ok then
    failed = failed + 1
  end
end
finish(failed == 0 and 0 or 1)
