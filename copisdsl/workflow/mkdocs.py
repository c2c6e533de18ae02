"""The MkDocs plugin ``copis``: journeys drawn inline in a documentation site.

In a Markdown page,

- a fenced block whose info string is ``copis`` (options after it:
  ```` ```copis view=copis ````) is compiled and replaced by the diagram as
  inline SVG; data paths in it are relative to the page's source file;
- an image reference to a ``.copis`` file (``![Journey](journeys/x.copis)``,
  ``![Journey](journeys/x.copis?view=mindmap)``) embeds that journey's
  diagram; data paths are relative to the ``.copis`` file.

Diagnostics become MkDocs warnings (logger ``mkdocs.plugins.copis``) with the
page and the Markdown line (a fence's lines are mapped to the page), so
``mkdocs build --strict`` fails on them; a diagram that cannot be drawn is
replaced by a box listing its diagnostics. Options in ``mkdocs.yml``::

    plugins:
      - copis:
          view: journey     # default view: journey, copis, mindmap, map or blueprint
          warnings: true    # report copis warnings (W...) too, not only errors
          show: diagram     # what a fence shows: diagram, source (highlighted) or both
          copy_data: false  # copy the data files journeys read into the site

The data files the site's journeys read are left out of the built site
unless ``copy_data`` is true: customer data is not published with the docs.
Compiled diagrams are cached by content within a build. The ids inside every
SVG get a per-diagram prefix, so several diagrams share a page.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin

from copisdsl.render import VIEWS

__all__ = ["CopisConfig", "CopisPlugin", "Diagram", "find_diagrams", "highlighted"]

log = logging.getLogger("mkdocs.plugins.copis")

OPTIONS = ("view", "show")  # of a fence
IMAGE_OPTIONS = ("view",)  # of an image reference (it shows its diagram)
#: what a fence shows: its diagram, its highlighted source, or both (source first)
SHOWS = ("diagram", "source", "both")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")
_OPTION = re.compile(r"""(\w+)=("[^"]*"|'[^']*'|\S+)""")
_IMAGE = re.compile(r"""!\[(?P<alt>[^\]\n]*)\]\(\s*(?P<url><[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)""")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)(?<!`)\1(?!`)")


#: Once per page with diagrams: a diagram fits the theme's content column
#: (fitted by default, "Actual size" scrolls it in its own box, as in the
#: report) and follows mkdocs-material's dark palette (``slate``): drawn for
#: white paper, it is inverted there with its hues kept.
PAGE_STYLE = """<style>
.copis-diagram { margin: 1em 0; max-width: 100%; }
.copis-scroll { overflow-x: auto; border: 1px solid rgba(128,128,128,.35); border-radius: 6px; background: #fff; }
.copis-diagram svg { display: block; max-width: none; height: auto; }
.copis-fit { position: absolute; opacity: 0; pointer-events: none; }
.copis-fit-label { display: inline-block; margin: 0 0 .4em; font-size: .7rem; cursor: pointer; padding: 0 .6em;
  border: 1px solid rgba(128,128,128,.35); border-radius: 4px; user-select: none; }
.copis-fit-label .copis-when-fit { display: none; }
.copis-fit:checked + .copis-fit-label .copis-when-fit { display: inline; }
.copis-fit:checked + .copis-fit-label .copis-when-natural { display: none; }
.copis-fit:checked + .copis-fit-label + .copis-scroll svg { max-width: 100%; }
span.copis-diagram svg { display: inline-block; max-width: 100%; height: auto; }
[data-md-color-scheme="slate"] .copis-scroll, [data-md-color-scheme="slate"] span.copis-diagram svg {
  filter: invert(.88) hue-rotate(180deg); }
</style>
"""

class CopisConfig(base.Config):
    """The plugin's options in ``mkdocs.yml``."""

    view = c.Choice(VIEWS, default="journey")
    warnings = c.Type(bool, default=True)
    show = c.Choice(SHOWS, default="diagram")
    copy_data = c.Type(bool, default=False)
    #: the folder journeys referenced by images may be in, relative to mkdocs.yml (default: the docs folder)
    root = c.Optional(c.Type(str))


@dataclass
class Diagram:
    """A diagram found in a page: a ``copis`` fence or an image reference.

    ``start`` and ``end`` are 0-based line indexes of the Markdown (``end``
    exclusive; an image sits on line ``start`` at ``columns``). ``source``
    is the fence's text (its indentation removed) or the referenced path;
    ``options`` what the fence or the reference's query string asked for.
    """

    kind: str  # "fence" | "image"
    start: int
    end: int
    source: str
    indent: str = ""
    options: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    columns: tuple[int, int] = (0, 0)
    alt: str = ""


def _fence_options(info: str) -> tuple[bool, dict[str, str], list[str]]:
    """Whether an info string opens a copis fence, its options and problems."""
    word, _, rest = info.partition(" ")
    if word != "copis":
        return False, {}, []
    options, problems = {}, []
    for m in _OPTION.finditer(rest):
        key, value = m.group(1), m.group(2).strip("\"'")
        if key in OPTIONS:
            options[key] = value
        else:
            problems.append(f"unknown option '{key}' (options: {', '.join(OPTIONS)})")
    leftover = _OPTION.sub("", rest).strip()
    if leftover:
        problems.append(f"cannot read '{leftover}'; write options as key=value, e.g. view=copis")
    return True, options, problems


def find_diagrams(markdown: str) -> list[Diagram]:
    """The ``copis`` fences and ``.copis`` image references of a page, in
    order. Other fenced blocks (also one that shows a copis fence as an
    example) and inline code are left alone."""
    lines = markdown.split("\n")
    found: list[Diagram] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
            fence, indent = m.group("fence"), m.group("indent")
            close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
            end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), len(lines))
            is_copis, options, problems = _fence_options(m.group("info"))
            if is_copis:
                body = [_dedent(line, indent) for line in lines[i + 1:end]]
                found.append(Diagram("fence", i, min(end + 1, len(lines)), "\n".join(body) + "\n",
                                     indent, options, problems))
            i = end + 1
            continue
        masked = _CODE_SPAN.sub(lambda s: " " * len(s.group()), lines[i])
        for img in _IMAGE.finditer(masked):
            url = img.group("url").strip("<>")
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path.endswith(".copis"):
                continue
            query = parse_qs(parts.query)
            options = {k: v[-1] for k, v in query.items() if k in IMAGE_OPTIONS}
            problems = [f"unknown option '{k}' (options: {', '.join(IMAGE_OPTIONS)})"
                        for k in query if k not in IMAGE_OPTIONS]
            found.append(Diagram("image", i, i + 1, unquote(parts.path), options=options, problems=problems,
                                 columns=img.span(), alt=img.group("alt")))
        i += 1
    return found


def _dedent(line: str, indent: str) -> str:
    return line[len(indent):] if line.startswith(indent) else line.lstrip(" \t")


class CopisPlugin(BasePlugin[CopisConfig]):
    """Compiles ``copis`` fences and ``.copis`` image references to inline SVG."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[bytes | None, list, str | None, tuple[Path, ...]]] = {}
        self._pending: dict[str, dict[str, tuple[str, str]]] = {}
        self._project = Path.cwd()
        self._data_inputs: set[Path] = set()

    def on_config(self, config):
        if config.config_file_path:
            self._project = Path(config.config_file_path).resolve().parent
        return config

    def on_pre_build(self, *, config) -> None:
        # One cache per build: data files may change between two builds of `mkdocs serve`.
        self._cache.clear()
        self._pending.clear()
        self._data_inputs.clear()

    def on_env(self, env, /, *, config, files):
        """Leave the data files the journeys read out of the site (MkDocs
        copies the static files after every page is read, and so after
        this), unless ``copy_data``."""
        if not self.config.copy_data and self._data_inputs:
            for file in list(files):
                if file.abs_src_path and Path(file.abs_src_path).resolve() in self._data_inputs:
                    files.remove(file)
        return env

    # ------------------------------------------------------------ pages
    def on_page_markdown(self, markdown: str, /, *, page, config, files) -> str:
        diagrams = find_diagrams(markdown)
        if not diagrams:
            return markdown
        src = Path(page.file.abs_src_path) if page.file.abs_src_path else None
        page_name = self._display(src) if src else page.file.src_uri
        offset = _front_matter_lines(src, markdown)
        lines = markdown.split("\n")
        tokens: dict[str, tuple[str, str]] = {}
        salt = hashlib.sha256(page.file.src_uri.encode("utf-8")).hexdigest()[:10]
        placed = []
        for number, d in enumerate(diagrams, start=1):
            token = f"COPISDIAGRAM{salt}X{number}"
            tokens[token] = self._diagram(d, number, page_name, d.start + 1 + offset, src, Path(config.docs_dir))
            placed.append((token, d))
        # Right to left within a line and bottom to top, so indexes stay valid.
        for token, d in reversed(placed):
            if d.kind == "fence":
                lines[d.start:d.end] = ["", d.indent + token, ""]
            else:
                a, b = d.columns
                lines[d.start] = lines[d.start][:a] + token + lines[d.start][b:]
        self._pending[page.file.src_uri] = tokens
        return "\n".join(lines)

    def on_page_content(self, html_text: str, /, *, page, config, files) -> str:
        pending = self._pending.pop(page.file.src_uri, {})
        for token, (block, inline) in pending.items():
            html_text = html_text.replace(f"<p>{token}</p>", block).replace(token, inline)
        return (PAGE_STYLE + html_text) if pending else html_text

    # ------------------------------------------------------------ diagrams
    def _diagram(self, d: Diagram, number: int, page_name: str, line: int, src: Path | None,
                 docs_dir: Path) -> tuple[str, str]:
        """(block HTML, inline HTML) for one diagram; reports its problems."""
        where = f"{page_name}:{line}"
        messages = [f"{where}: {problem}" for problem in d.problems]
        view = d.options.get("view", self.config.view)
        show = d.options.get("show", self.config.show) if d.kind == "fence" else "diagram"
        svg = None
        if show not in SHOWS:
            messages.append(f"{where}: unknown value '{show}' of show (values: {', '.join(SHOWS)})")
            show = "diagram"
        if show == "source":  # the source alone: nothing compiled (a fragment of a journey may be shown)
            for message in messages:
                log.warning(message)
            return highlighted(d.source), highlighted(d.source)
        if view not in VIEWS:
            messages.append(f"{where}: unknown view '{view}' (views: {', '.join(VIEWS)})")
        elif d.kind == "fence":
            base = src or docs_dir / "index.md"  # data paths are relative to the page
            svg, diagnostics, problem = self._compile(d.source, base, view)
            messages += [f"{where}: {problem}"] if problem else []
            for diag in diagnostics:
                if diag.is_error or self.config.warnings:
                    s = diag.span
                    messages.append(_format(diag, f"{page_name}:{line + s.line}:{s.column + len(d.indent)}"))
        else:
            target = (docs_dir / d.source.lstrip("/")) if d.source.startswith("/") else \
                ((src.parent if src else docs_dir) / d.source)
            allowed = (self._project / self.config.root) if self.config.root else docs_dir
            if not _inside(target, allowed):
                messages.append(f"{where}: the journey '{d.source}' is outside {self._display(allowed)}/: only "
                                "journeys inside the docs folder (or the plugin's `root`) are embedded")
            else:
                try:
                    text = target.read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError) as exc:
                    reason = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
                    messages.append(f"{where}: cannot read journey '{d.source}' ({reason})")
                else:
                    svg, diagnostics, problem = self._compile(text, target.resolve(), view)
                    name = self._display(target)
                    messages += [f"{where}: {problem}"] if problem else []
                    for diag in diagnostics:
                        if diag.is_error or self.config.warnings:
                            s = diag.span
                            messages.append(_format(diag, f"{name}:{s.line}:{s.column}") + f" (embedded at {where})")
        for message in messages:
            log.warning(message)
        label = f' role="img" aria-label="{html.escape(d.alt)}"' if d.alt else ""
        classes = f"copis-diagram copis-view-{html.escape(view)}"
        source = highlighted(d.source) if show == "both" else ""
        if svg is None:
            box = "\n".join(html.escape(m) for m in messages) or "the diagram could not be drawn"
            body = f'<pre class="copis-error">{box}</pre>'
            return source + f'<div class="{classes}">{body}</div>', f'<span class="{classes}">{body}</span>'
        from copisdsl.render.svg import inline

        markup = "\n".join(ln for ln in inline(svg, f"copis-{number}").splitlines() if ln.strip())
        fit = (f'<input type="checkbox" class="copis-fit" id="copis-fit-{number}" checked>'
               f'<label class="copis-fit-label" for="copis-fit-{number}"><span class="copis-when-natural">'
               f'Fit to width</span><span class="copis-when-fit">Actual size</span></label>')
        return (source + f'<div class="{classes}"{label}>\n{fit}\n<div class="copis-scroll">\n{markup}\n</div>\n</div>',
                f'<span class="{classes}"{label}>{markup}</span>')

    def _compile(self, text: str, path: Path, view: str) -> tuple[bytes | None, list, str | None]:
        """(SVG, diagnostics, a problem outside the journey), cached by
        content; the journey's configuration (copis.toml) applies, and the
        data files it reads are noted (``on_env``)."""
        key = hashlib.sha256("\0".join((view, str(path.parent), text)).encode("utf-8")).hexdigest()
        if key not in self._cache:
            from copisdsl.config import ConfigError, Settings
            from copisdsl.render.graphviz_run import GraphvizError
            from copisdsl.workflow.build import render_snippet

            try:
                svg, diagnostics, inputs = render_snippet(text, str(path), view, "svg",
                                                          config=Settings().for_file(path))
                self._cache[key] = (svg, diagnostics, None, tuple(inputs))
            except ConfigError as exc:
                self._cache[key] = (None, [], str(exc), ())
            except GraphvizError as exc:
                self._cache[key] = (None, [], f"cannot draw the diagram: {exc}", ())
        svg, diagnostics, problem, inputs = self._cache[key]
        self._data_inputs.update(inputs)
        return svg, diagnostics, problem

    def _display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self._project).as_posix()
        except ValueError:
            return path.as_posix()


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (links followed) is inside ``folder``."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False


def highlighted(source: str) -> str:
    """A journey's source as HTML: highlighted by the ``copis`` Pygments
    lexer where Pygments is installed (the ``highlight`` class that
    mkdocs-material and Pygments' stylesheets colour), else escaped."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter

        from copisdsl.pygments_lexer import CopisLexer
    except ImportError:
        return f'<pre class="copis-source"><code class="language-copis">{html.escape(source)}</code></pre>'
    return highlight(source, CopisLexer(), HtmlFormatter(cssclass="highlight copis-source"))


def _format(diag, location: str) -> str:
    text = f"{location}: {diag.code} {diag.severity.value}: {diag.message}"
    return text + (f" (hint: {diag.hint})" if diag.hint else "")


def _front_matter_lines(src: Path | None, markdown: str) -> int:
    """How many lines of the source file come before ``markdown`` (MkDocs
    strips the YAML front matter before plugins see the page)."""
    if src is None:
        return 0
    try:
        source = src.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return 0
    if not markdown or not source.endswith(markdown):
        return 0
    return source[: len(source) - len(markdown)].count("\n")
