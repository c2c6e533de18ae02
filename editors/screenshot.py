"""Screenshots of `copis lsp` at work in a real editor: Debian's Neovim in
a tmux terminal (VS Code cannot run on the build machine). Each shot is
the terminal's screen as tmux holds it (`capture-pane -e`, colours
included), drawn to PNG by headless Chromium, cell for cell.

    python editors/screenshot.py   # writes editors/vscode/media/*.png

Needs nvim, tmux and chromium (`make neovim chromium`; apt-get install tmux).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEDIA = ROOT / "editors" / "vscode" / "media"
COLS, ROWS = 104, 30
SESSION = "copis-shot"

INIT = r"""
vim.o.termguicolors = false
vim.o.number = true
vim.o.completeopt = "menuone,noinsert"
vim.o.shortmess = vim.o.shortmess .. "c"
vim.cmd("edit " .. vim.fn.fnameescape(vim.env.COPIS_FILE))
vim.bo.filetype = "copis"
vim.cmd("syntax match copisComment /#.*/ | syntax region copisString start=/\"/ end=/\"/ oneline")
vim.cmd("syntax keyword copisKeyword journey stage touchpoint persona data segment kpi objective flow channel emotion moment_of_truth repurchase clv framework owner description pain opportunity")
vim.cmd("hi link copisComment Comment | hi link copisString String | hi link copisKeyword Keyword")
local id = vim.lsp.start_client({ name = "copis", cmd = { vim.env.COPIS_PYTHON, "-m", "copisdsl", "lsp" },
  root_dir = vim.fn.fnamemodify(vim.env.COPIS_FILE, ":p:h") })
vim.lsp.buf_attach_client(0, id)
vim.bo.omnifunc = "v:lua.vim.lsp.omnifunc"
"""

PALETTE = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
           "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"


def color256(n: int) -> str:
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (level, level, level)


def ansi_to_html(text: str) -> str:
    """The SGR-coloured text of a terminal screen as HTML spans."""
    out, state = [], {"fg": None, "bg": None, "bold": False, "underline": False, "reverse": False}
    for part in re.split(r"(\x1b\[[0-9;]*m)", text):
        if part.startswith("\x1b["):
            codes = [int(c) if c else 0 for c in part[2:-1].split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    state.update(fg=None, bg=None, bold=False, underline=False, reverse=False)
                elif c == 1:
                    state["bold"] = True
                elif c == 22:
                    state["bold"] = False
                elif c in (4, 24):
                    state["underline"] = c == 4
                elif c in (7, 27):
                    state["reverse"] = c == 7
                elif 30 <= c <= 37 or 90 <= c <= 97:
                    state["fg"] = PALETTE[c - 30 if c < 90 else c - 82]
                elif 40 <= c <= 47 or 100 <= c <= 107:
                    state["bg"] = PALETTE[c - 40 if c < 100 else c - 92]
                elif c == 39:
                    state["fg"] = None
                elif c == 49:
                    state["bg"] = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    state["fg" if c == 38 else "bg"] = color256(codes[i + 2])
                    i += 2
                elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                    state["fg" if c == 38 else "bg"] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                    i += 4
                i += 1
            continue
        if not part:
            continue
        fg, bg = state["fg"] or FG, state["bg"] or BG
        if state["reverse"]:
            fg, bg = bg, fg
        style = f"color:{fg};background:{bg}" + (";font-weight:bold" if state["bold"] else "") + \
            (";text-decoration:underline" if state["underline"] else "")
        out.append(f'<span style="{style}">{html.escape(part)}</span>')
    return "".join(out)


def page(screen: str, title: str) -> str:
    return (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<style>body{{margin:0;background:{BG}}}pre{{margin:0;padding:8px;font:15px/1.25 'DejaVu Sans Mono',monospace;"
            f"color:{FG};background:{BG}}}</style><pre>{ansi_to_html(screen)}</pre>")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def keys(*seq: str, pause: float = 0.6) -> None:
    for k in seq:
        tmux("send-keys", "-t", SESSION, k)
        time.sleep(0.15)
    time.sleep(pause)


def shoot(name: str, title: str, work: Path) -> None:
    screen = tmux("capture-pane", "-p", "-e", "-t", SESSION)
    doc = work / f"{name}.html"
    doc.write_text(page(screen, title), encoding="utf-8")
    out = MEDIA / f"{name}.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={out}", f"--window-size={COLS * 9 + 16},{ROWS * 19 + 16}", doc.as_uri()],
                   check=True, capture_output=True, timeout=60)
    (MEDIA / f"{name}.txt").write_text(re.sub(r"\x1b\[[0-9;]*m", "", screen), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


def main() -> int:
    for tool in ("nvim", "tmux", "chromium"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing", file=sys.stderr)
            return 1
    MEDIA.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "examples" / "data", work / "data")
        text = (ROOT / "examples" / "skincare_clv.copis").read_text(encoding="utf-8")
        journey = work / "skincare_clv.copis"
        journey.write_text(text.replace("flow checkout -> restock_mail", "flow chekout -> restock_mail"))
        (work / "init.lua").write_text(INIT)
        env = dict(os.environ, COPIS_FILE=str(journey), COPIS_PYTHON=sys.executable, TERM="xterm-256color",
                   HOME=str(work), XDG_STATE_HOME=str(work / "state"))
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
        subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", str(COLS), "-y", str(ROWS),
                        "nvim", "--clean", "-u", str(work / "init.lua")], check=True, env=env)
        try:
            time.sleep(4)  # the server starts, checks, publishes; the figures follow
            keys(":58", "Enter", "zz", pause=1.5)
            shoot("diagnostics", "copis lsp in Neovim: diagnostics", work)
            keys(":59", "Enter", "O", "flow restock_mail -> ", "C-x", "C-o", pause=1.5)
            shoot("completion", "copis lsp in Neovim: completion", work)
            keys("Escape", "Escape", "u", ":call cursor(32, 17)", "Enter", "zt", pause=0.8)
            keys(":lua vim.lsp.buf.hover()", "Enter", pause=2.5)
            shoot("hover", "copis lsp in Neovim: hover", work)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
