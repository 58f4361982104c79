-- :checkhealth codomyrmex — binary, version, providers (via `codomyrmex doctor`), attached clients.
-- Neovim 0.10+ uses vim.health.start/ok/…; 0.8–0.9 vim.health.report_*; 0.7 require("health").report_*.

local M = {}

local function api()
  local h = vim.health
  if h == nil or (h.start == nil and h.report_start == nil) then
    h = require("health")
  end
  return {
    start = h.start or h.report_start,
    ok = h.ok or h.report_ok,
    info = h.info or h.report_info,
    warn = h.warn or h.report_warn,
    error = h.error or h.report_error,
  }
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

--- Sorts doctor output lines into ok / warn / error by their wording.
function M.classify(line)
  local l = line:lower()
  if l:match("^%s*$") then
    return nil
  end
  if line:match("✗") or line:match("✘") or l:match("^%s*error") or l:match("%[error%]") or l:match("%f[%w]fail") then
    return "error"
  end
  if line:match("⚠") or l:match("^%s*warn") or l:match("%[warn") or l:match("unreachable") or l:match("not reachable")
    or l:match("missing") or l:match("not found") then
    return "warn"
  end
  if line:match("✓") or line:match("✔") or l:match("%[ok%]") or l:match("^%s*ok%f[%W]") then
    return "ok"
  end
  return "info"
end

function M.check()
  local h = api()
  local plugin = require("codomyrmex")

  h.start("codomyrmex: Neovim")
  local v = vim.version()
  local version = ("%d.%d.%d"):format(v.major, v.minor, v.patch)
  local method = plugin.method
    or ((vim.lsp.config and vim.fn.has("nvim-0.11") == 1) and "vim.lsp.enable")
    or (vim.lsp.start and "vim.lsp.start")
    or "vim.lsp.start_client"
  h.ok(("Neovim %s (client started with %s)"):format(version, method))
  if plugin.setup_error then
    h.error("setup() failed: " .. plugin.setup_error)
  elseif not plugin.cmd then
    h.warn("require('codomyrmex').setup() has not been called")
  end

  h.start("codomyrmex: server binary")
  local bin
  if plugin.cmd then
    bin = plugin.cmd[1]
  else
    local tried
    bin, tried = plugin.find_binary()
    if not bin then
      h.error("codomyrmex not found (looked in " .. table.concat(tried, ", ") .. ")", {
        "Install it: `cargo install --path .` in a checkout of codomyrmex",
        "or pass cmd = { '/path/to/codomyrmex', 'lsp' } to setup()",
      })
      return
    end
  end
  if vim.fn.executable(bin) ~= 1 then
    h.error(bin .. " is not executable", { "Install it: `cargo install --path .`" })
    return
  end
  h.ok("binary: " .. bin)
  local out = vim.fn.system({ bin, "--version" })
  if vim.v.shell_error == 0 and out:match("codomyrmex") then
    h.ok("version: " .. trim(out))
  else
    h.error("`" .. bin .. " --version` failed: " .. trim(out))
  end

  h.start("codomyrmex: doctor (config, providers, index)")
  local doctor = vim.fn.system({ bin, "doctor" })
  local code = vim.v.shell_error
  local counts = { ok = 0, warn = 0, error = 0, info = 0 }
  for _, line in ipairs(vim.split(doctor, "\n", { plain = true })) do
    local kind = M.classify(line)
    -- Doctor's findings (a provider down, a broken config file) are warnings here: the plugin and
    -- diagnostics work without them. ERROR is kept for a missing or broken binary.
    if kind == "error" then
      kind = "warn"
    end
    if kind then
      counts[kind] = counts[kind] + 1
      h[kind](trim(line))
    end
  end
  if code == 0 then
    h.ok("`codomyrmex doctor` exited 0")
  else
    h.warn(("`codomyrmex doctor` exited %d"):format(code), { "Run `codomyrmex doctor` in a shell for details" })
  end

  h.start("codomyrmex: clients")
  local clients = plugin.get_clients(nil)
  if #clients == 0 then
    h.info("no codomyrmex client running (open a file of a configured filetype)")
  end
  for _, c in ipairs(clients) do
    local bufs = c.attached_buffers and vim.tbl_count(c.attached_buffers) or 0
    h.ok(("client %d running (root %s, %d buffer(s), encoding %s)"):format(c.id, c.config.root_dir or "-", bufs, c.offset_encoding or "?"))
  end
  h.info("server log (stderr): " .. vim.lsp.get_log_path() .. " — set log_level = 'debug' in setup() for more")
end

return M
