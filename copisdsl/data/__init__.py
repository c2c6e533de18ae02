"""Figures from data: KPI values, objective status, CLV and segments.

``enrich(model, base_dir, root)`` is the one entry point. A journey without
``data`` is evaluated in plain Python (literals, arithmetic, references to
other KPIs); pandas is imported only when the journey links a file pandas
reads (``copisdsl.data.sources``), never for the sources DuckDB reads.
"""

from __future__ import annotations

from pathlib import Path

from copisdsl.diagnostics import Diagnostic, error, sort_diagnostics
from copisdsl.data.figures import Figures, KpiValue
from copisdsl.semantic.model import Model

__all__ = ["enrich", "linked_files", "missing_libraries"]

#: what the `data` extra installs (pyproject.toml): a journey with data needs each
DATA_LIBRARIES = ("numpy", "pandas", "pyarrow", "scipy", "duckdb", "sqlglot")


def missing_libraries() -> str | None:
    """Why the figures' libraries cannot be used (the light install, without
    the ``data`` extra), or None when they can."""
    import importlib.util

    absent = [name for name in DATA_LIBRARIES if importlib.util.find_spec(name) is None]
    return f"{', '.join(absent)} {'is' if len(absent) == 1 else 'are'} not installed" if absent else None


def enrich(model: Model, base_dir: Path, root: Path | None = None) -> tuple[Figures, list[Diagnostic]]:
    """The figures of a resolved journey, and the data diagnostics (E400-E404, W403, W405-W407).

    ``base_dir`` is the folder data paths are relative to (the ``.copis``
    file's folder); ``root`` is the folder they may not leave (default
    ``base_dir``). Each data file is read at most once. Never raises for bad
    data: every problem is a diagnostic and the KPIs it touches have no value.
    An unchanged journey over unchanged files gets its figures from the
    figures cache (``copisdsl.data.cache``).
    """
    base_dir = Path(base_dir)
    root = Path(root) if root is not None else base_dir
    key = None
    if model.data and missing_libraries() is None:
        from copisdsl.data import cache

        key = cache.figures_key(model, base_dir, root)
        cached = cache.load(key)
        if cached is not None:
            return cached
    figures, diags = _compute(model, base_dir, root)
    if key is not None:
        cache.store(key, (figures, diags))
    return figures, diags


def linked_files(model: Model, base_dir: Path, root: Path | None = None) -> list[Path]:
    """The local files a journey's data declarations name, resolved, in
    declaration order, found without reading any (``enrich``'s arguments):
    each plain file inside the root (missing ones too), each file a glob or
    folder matches, each ``duckdb:///`` database file. Once the figures are
    computed ``Figures.inputs`` lists the same files; the commands that
    write files refuse these as outputs before any data is read."""
    from copisdsl.data.engines.connect import local_files
    from copisdsl.locations import Unset, locate, one_file

    base_dir = Path(base_dir)
    root = Path(root) if root is not None else base_dir
    found: list[Path] = []
    for data in model.data.values():
        if data.unusable:
            continue
        try:
            where = locate(data.path)
        except Unset:
            continue
        full = one_file(where, base_dir)
        if full is not None:
            try:
                resolved = full.resolve()
                if resolved.is_relative_to(root.resolve()):
                    found.append(resolved)
            except (OSError, RuntimeError):
                pass
        else:
            found += local_files(where, base_dir, root)
    return list(dict.fromkeys(found))


def _compute(model: Model, base_dir: Path, root: Path) -> tuple[Figures, list[Diagnostic]]:
    from copisdsl.data.kpis import Evaluator
    from copisdsl.data.status import objective_status

    figures = Figures()
    diags: list[Diagnostic] = []
    source = None
    if model.data:
        missing = missing_libraries()
        if missing is not None:
            first = next(iter(model.data.values()))
            return figures, [error("E400", f"cannot read the data files: {missing}", first.node.head,
                                   f"the figures need {', '.join(DATA_LIBRARIES)}; "
                                   "install them with: pip install 'copisdsl[data]'")]
        from copisdsl.data.sources import TableSource

        source = TableSource(model, base_dir, root)
    try:
        evaluator = Evaluator(model, source)
        for kpi in model.kpis:
            value, note = evaluator.evaluate(kpi)
            figures.kpis[kpi.index] = KpiValue(kpi.name, kpi.scope, kpi.kind,
                                               value, kpi.baseline, note)
        segmented = [kpi for kpi in model.kpis if kpi.by_segment]
        for kpi in segmented if source is None else ():  # no data: no segment has a value
            figures.kpis[kpi.index].by_segment = dict.fromkeys(model.segments)
        if segmented and source is not None:
            from copisdsl.data.segments import by_segment

            for index, values in by_segment(model, source, segmented).items():
                figures.kpis[index].by_segment = values
        for objective in model.objectives:
            kpi = model.measuring_kpi(objective)
            value = figures.kpis[kpi.index].value if kpi is not None else None
            figures.objectives[objective.index] = objective_status(
                objective.direction, objective.target, value, kpi.index if kpi is not None else None)
        if source is not None:
            figures.clv = source.clv_figures()
            figures.reach, figures.flow_volumes = source.event_figures()
            figures.inputs = source.inputs()
            diags += source.diagnostics
    finally:
        if source is not None:  # its engines, and what they hold, even when a figure fails
            source.close()
    return figures, sort_diagnostics(diags)
