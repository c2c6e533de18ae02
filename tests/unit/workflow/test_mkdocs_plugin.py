"""The MkDocs plugin `copis`: finding fences and references in Markdown, and
real `mkdocs build` runs of small sites in temporary folders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import has_dot
from copisdsl.workflow.mkdocs import find_diagrams

pytest.importorskip("mkdocs")

JOURNEY = '''journey shop "Shop <b>&amp;</b> & more" {
  customer "Shopper"
  process "Browse", "Pay"
  information "Catalogue"
  service "Web shop"
  stage buy "Buy" {
    touchpoint cart "Cart <script>alert(1)</script>" {
      objective "Convert" increase conversion to 4%
      kpi conversion = 3%
      emotion 4
    }
  }
}
'''

WITH_DATA = '''journey visits "Visits" {
  data funnel "data/funnel.csv"
  customer "Visitor"
  process "Visit"
  information "Page"
  service "Site"
  stage see "See" {
    touchpoint page "Landing page" {
      objective "More visits" increase visits to 100
      kpi visits = sum(funnel.visits)
    }
  }
}
'''

BROKEN = '''journey broken "Broken" {
  stage s "S" {
    touchpoint t "T" { emotion 9 }
  }
}
'''


# ------------------------------------------------------------------ finding diagrams


def test_find_fences_with_options_and_skip_other_code() -> None:
    md = "\n".join([
        "# Page",                              # 0
        "```copis view=copis",                 # 1
        'journey j "J" {}',                    # 2
        "```",                                 # 3
        "~~~~ copis",                          # 4
        "text",                                # 5
        "~~~~",                                # 6
        "````markdown",                        # 7
        "```copis",                            # 8  an example inside another fence
        "```",                                 # 9
        "````",                                # 10
        "```python",                           # 11
        "![x](a.copis)",                       # 12 code, not a reference
        "```",                                 # 13
        "  ```copis view='mindmap' size=3 ??", # 14
        "  journey k \"K\" {}",                # 15
        "  ```",                               # 16
    ])
    found = find_diagrams(md)
    assert [(d.kind, d.start, d.end) for d in found] == [("fence", 1, 4), ("fence", 4, 7), ("fence", 14, 17)]
    assert found[0].source == 'journey j "J" {}\n' and found[0].options == {"view": "copis"}
    assert found[1].source == "text\n" and found[1].options == {}
    assert found[2].indent == "  " and found[2].source == 'journey k "K" {}\n'
    assert found[2].options == {"view": "mindmap"}
    assert found[2].problems == ["unknown option 'size' (options: view, show)",
                                 "cannot read '??'; write options as key=value, e.g. view=copis"]


def test_find_image_references() -> None:
    md = ('See ![A](journeys/a.copis) and ![B](<my journeys/b%20c.copis?view=copis> "Title") '
          "but not `![C](c.copis)`, ![D](d.png), ![E](https://example.com/e.copis) or ![F](f.copis?zoom=2)")
    found = find_diagrams(md)
    assert [(d.source, d.options, d.alt) for d in found] == [
        ("journeys/a.copis", {}, "A"), ("my journeys/b c.copis", {"view": "copis"}, "B"),
        ("f.copis", {}, "F")]
    assert found[2].problems == ["unknown option 'zoom' (options: view)"]
    assert md[slice(*found[0].columns)] == "![A](journeys/a.copis)"


# ------------------------------------------------------------------ real builds


def make_site(root: Path, page: str, plugin: str = "  - copis", extra: dict[str, str] | None = None) -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(f"site_name: Journeys\nplugins:\n{plugin}\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text(page, encoding="utf-8")
    for name, text in (extra or {}).items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def mkdocs_build(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=site,
                          capture_output=True, text=True, timeout=120)


def fence(text: str, info: str = "copis") -> str:
    return f"```{info}\n{text}```\n"


needs_dot = pytest.mark.skipif(not has_dot(), reason="Graphviz (dot) is not installed")


@needs_dot
def test_strict_build_renders_fences_and_references(tmp_path: Path) -> None:
    page = ("# Journeys\n\n" + fence(JOURNEY) + "\n" + fence(JOURNEY, "copis view=copis") +
            "\n![Visits journey](journeys/visits.copis?view=mindmap)\n\n" +
            "Inline code stays: `![x](journeys/visits.copis)`\n\n" + fence(WITH_DATA))
    site = make_site(tmp_path, page, extra={
        "journeys/visits.copis": WITH_DATA,
        "journeys/data/funnel.csv": "visits\n40\n80\n",  # relative to the .copis file
        "data/funnel.csv": "visits\n7\n",  # relative to the page, for the fence
    })
    done = mkdocs_build(site, "--strict")
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    out = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert out.count("<svg") == 4
    assert re.findall(r'class="copis-diagram copis-view-(\w+)"', out) == ["journey", "copis", "mindmap", "journey"]
    assert 'role="img" aria-label="Visits journey"' in out
    # diagrams fit the content column (a fit toggle, a scroll box) and follow the slate palette, one style per page
    assert out.count("<style>\n.copis-diagram") == 1 and '[data-md-color-scheme="slate"]' in out
    assert out.count('class="copis-fit" id="copis-fit-') == out.count('<div class="copis-scroll">') >= 3
    assert "<code>![x](journeys/visits.copis)</code>" in out
    # user strings are escaped where they land
    assert "Cart &lt;script&gt;alert(1)" in out and "Shop &lt;b&gt;&amp;amp;" in out
    assert "<script>alert(1)" not in out and "<b>&amp;</b>" not in out
    # no two elements share an id, though the same journey is drawn twice
    ids = re.findall(r'\bid="([^"]+)"', out)
    assert len(ids) == len(set(ids))
    assert any(i.startswith("copis-1_") for i in ids) and any(i.startswith("copis-2_") for i in ids)
    # every url(#...) or href="#..." inside a diagram points at an id of the page
    for ref in re.findall(r'(?:url\(#|href="#)(copis-[^")]+)', out):
        assert ref in ids


BLUEPRINT = '''journey cafe "Café" {
  customer "Guest"; objective "Coffee"; process "Order"; information "Menu"; service "Counter"
  stage visit "Visit <i>now</i>" {
    touchpoint order "Order" {
      evidence "Menu board"
      frontstage "Barista takes the order"
      backstage "Barista <b>prepares</b> the drink"
      fail_point "Queue at lunch"
      kpi queue_minutes = 6
      emotion 3
    }
  }
}
'''


@needs_dot
def test_map_and_blueprint_views_in_a_site(tmp_path: Path) -> None:
    """`view=map` and `view=blueprint` draw the lane views, in fences and references."""
    page = fence(BLUEPRINT, "copis view=map") + "\n" + fence(BLUEPRINT, "copis view=blueprint") + \
        "\n![Café](journeys/cafe.copis?view=blueprint)\n"
    site = make_site(tmp_path, page, extra={"journeys/cafe.copis": BLUEPRINT})
    done = mkdocs_build(site, "--strict")
    assert done.returncode == 0, done.stderr
    out = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'class="copis-diagram copis-view-(\w+)"', out) == ["map", "blueprint", "blueprint"]
    assert out.count("line of visibility") == 2 and "Queue at lunch" in out
    assert "Barista &lt;b&gt;prepares&lt;/b&gt; the drink" in out and "<b>prepares" not in out
    assert "Visit &lt;i&gt;now&lt;/i&gt;" in out


@needs_dot
def test_broken_fence_fails_strict_with_file_and_line_but_builds_otherwise(tmp_path: Path) -> None:
    page = "---\ntitle: Front matter shifts the lines\n---\n# Broken\n\n" + fence(BROKEN) + "\n![missing](nowhere.copis)\n"
    site = make_site(tmp_path, page)
    strict = mkdocs_build(site, "--strict")
    assert strict.returncode != 0
    # the fence opens on line 6 of the file; `touchpoint t ... emotion 9` is its third line
    assert "docs/index.md:9:32: E204 error: emotion must be a whole number" in strict.stderr
    assert "docs/index.md:9:5: W300 warning" in strict.stderr
    assert "docs/index.md:14: cannot read journey 'nowhere.copis'" in strict.stderr
    assert "Aborted with 3 warnings in strict mode" in strict.stdout + strict.stderr
    relaxed = mkdocs_build(site)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "E204" in relaxed.stderr
    out = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="copis-error">docs/index.md:9:5: W300' in out
    assert "<svg" not in out


@needs_dot
def test_config_default_view_warnings_option_and_cache(tmp_path: Path, monkeypatch) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    import copisdsl.workflow.build

    calls = []
    real = copisdsl.workflow.build.render_snippet

    def counting(text, path, view="journey", fmt="svg", **options):
        calls.append(view)
        return real(text, path, view, fmt, **options)

    monkeypatch.setattr(copisdsl.workflow.build, "render_snippet", counting)
    only_warnings = JOURNEY.replace('      objective "Convert" increase conversion to 4%\n', "")
    page = fence(only_warnings) + "\n" + fence(only_warnings) + "\n" + fence(only_warnings, "copis view=journey")
    site = make_site(tmp_path, page, plugin="  - copis:\n      view: copis\n      warnings: false")
    build(load_config(str(site / "mkdocs.yml"), strict=True))
    out = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'copis-view-(\w+)', out) == ["copis", "copis", "journey"]
    assert calls == ["copis", "journey"]  # the repeated snippet was compiled once


def test_plugin_is_registered_as_copis() -> None:
    from importlib.metadata import entry_points

    (ep,) = [e for e in entry_points(group="mkdocs.plugins") if e.name == "copis"]
    assert ep.value == "copisdsl.workflow.mkdocs:CopisPlugin"
    assert ep.load().__name__ == "CopisPlugin"


# ------------------------------------------------------------------ data, source, the docs


@needs_dot
def test_the_site_holds_no_data_file_unless_asked(tmp_path: Path) -> None:
    extra = {"journeys/visits.copis": WITH_DATA, "journeys/data/funnel.csv": "visits\n40\n80\n",
             "data/funnel.csv": "visits\n7\n", "download.csv": "not read by any journey\n"}
    page = "![Visits](journeys/visits.copis)\n\n" + fence(WITH_DATA)
    site = make_site(tmp_path / "a", page, extra=extra)
    done = mkdocs_build(site, "--strict")
    assert done.returncode == 0, done.stderr
    built = {p.relative_to(site / "site").as_posix() for p in (site / "site").rglob("*") if p.is_file()}
    assert "journeys/data/funnel.csv" not in built and "data/funnel.csv" not in built
    assert not [name for name in built if name.endswith("funnel.csv")]
    assert "download.csv" in built and "journeys/visits.copis" in built  # other files are copied as ever
    asked = make_site(tmp_path / "b", page, extra=extra, plugin="  - copis:\n      copy_data: true")
    assert mkdocs_build(asked, "--strict").returncode == 0
    assert (asked / "site" / "journeys" / "data" / "funnel.csv").exists()
    assert (asked / "site" / "data" / "funnel.csv").exists()


@needs_dot
def test_a_fence_can_show_its_highlighted_source(tmp_path: Path) -> None:
    page = (fence(JOURNEY, "copis show=source") + "\n" + fence(JOURNEY, "copis show=both view=copis") + "\n" +
            fence(JOURNEY, "copis show=nope"))
    site = make_site(tmp_path, page)
    done = mkdocs_build(site)
    out = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert out.count("<svg") == 2  # both, and the unknown value's diagram
    assert out.count('class="highlight copis-source"') == 2
    assert '<span class="k">journey</span>' in out and '<span class="s2">"Shopper"</span>' in out
    assert "Cart &lt;script&gt;" in out and "<script>alert" not in out
    assert "unknown value 'nope' of show" in done.stderr
    assert out.index("copis-source") < out.index("copis-view-copis")  # the source above the diagram


@needs_dot
def test_every_example_in_the_docs_passes_a_strict_build(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[3] / "docs"
    site = tmp_path / "site-src"
    (site / "docs").mkdir(parents=True)
    for page in docs.glob("*.md"):
        (site / "docs" / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    (site / "mkdocs.yml").write_text("site_name: copisdsl\nplugins:\n  - copis\n", encoding="utf-8")
    done = mkdocs_build(site, "--strict")
    copis_warnings = [line for line in done.stderr.splitlines() if "copis" in line and "WARNING" in line]
    assert not copis_warnings, "\n".join(copis_warnings)


OUTSIDE_JOURNEY = 'journey out "Outside" {\n  stage s "S" {\n    touchpoint t "T" { customer "c"; objective "o"; process "p"; information "i"; service "s" }\n  }\n}\n'


@needs_dot
def test_only_journeys_inside_the_docs_folder_or_root_are_embedded(tmp_path: Path) -> None:
    """An image reference may not reach out of the docs folder (a journey
    elsewhere on the machine, through `..` or a link); the plugin's `root`
    widens the folder it may reach."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.copis").write_text(OUTSIDE_JOURNEY, encoding="utf-8")
    site = make_site(tmp_path / "proj", "# Out\n\n![a](../../outside/x.copis)\n")
    (site / "docs" / "linked.copis").symlink_to(outside / "x.copis")
    (site / "docs" / "index.md").write_text("# Out\n\n![a](../../outside/x.copis)\n\n![b](linked.copis)\n",
                                            encoding="utf-8")
    done = mkdocs_build(site)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("only journeys inside the docs folder (or the plugin's `root`) are embedded") == 2
    assert "<svg" not in (site / "site" / "index.html").read_text(encoding="utf-8")
    (site / "mkdocs.yml").write_text("site_name: Journeys\nplugins:\n  - copis:\n      root: ..\n", encoding="utf-8")
    widened = mkdocs_build(site)
    assert "are embedded" not in widened.stderr
    assert (site / "site" / "index.html").read_text(encoding="utf-8").count("<svg") == 2
