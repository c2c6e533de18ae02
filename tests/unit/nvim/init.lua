-- Neovim as the language client of `copis lsp` (headless, for
-- tests/unit/test_lsp_neovim.py): opens COPIS_FILE, attaches the server,
-- waits for its diagnostics, asks for completion at COPIS_LINE:COPIS_CHAR
-- (0-based, UTF-16) and writes both as JSON to COPIS_OUT, then quits.
-- Written for Neovim 0.7 (Debian 12), which has no vim.lsp.start.
local env = vim.env
local out = env.COPIS_OUT
local function finish(result)
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qall!")
end

local received = nil
local handlers = {
  ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
    if result and #result.diagnostics > 0 then
      received = result
    end
    return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
  end,
}

vim.cmd("edit " .. vim.fn.fnameescape(env.COPIS_FILE))
vim.bo.filetype = "copis"
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "copis",
  cmd = { env.COPIS_PYTHON, "-m", "copisdsl", "lsp" },
  root_dir = vim.fn.fnamemodify(env.COPIS_FILE, ":p:h"),
  handlers = handlers,
})
vim.lsp.buf_attach_client(bufnr, client_id)

if not vim.wait(30000, function() return received ~= nil end, 50) then
  finish({ error = "no diagnostics within 30 s" })
end
local params = {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  position = { line = tonumber(env.COPIS_LINE), character = tonumber(env.COPIS_CHAR) },
}
local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, 15000) or {}
local labels = {}
for _, response in pairs(responses) do
  local items = response.result and (response.result.items or response.result) or {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
end
-- What Neovim itself holds for the buffer, as a user sees it.
local shown = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(shown, { lnum = d.lnum, col = d.col, code = d.code, severity = d.severity, message = d.message })
end
finish({ diagnostics = received.diagnostics, shown = shown, completion = labels })
