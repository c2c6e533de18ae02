"""KPIs by segment (reference §12.1): the hand-computed figures of
tests/golden/export/by_segment.copis on the pandas reader and on DuckDB
(Parquet files read as a glob), and a property test against a plain-Python
reference: rows of customers without orders, or in no segment, count only
overall."""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from copisdsl.api import check_file
from profiles import examples

CASE = Path(__file__).resolve().parents[2] / "golden" / "export" / "by_segment.copis"

# The arithmetic is written out in the case file's comment.
BY_HAND = {
    "total": (320, None),
    "share": (1, {"vip": 1, "regular": 1, "loyal": None}),
    "mean_score": (55 / 8, {"vip": 9.5, "regular": 7, "loyal": None}),
    "buy_nps": (0, {"vip": 100, "regular": -100, "loyal": None}),
    "basket": (55, {"vip": 80, "regular": 30, "loyal": None}),
    "lift": (5, {"vip": 30, "regular": -20, "loyal": None}),
    "repeat": (2 / 3, {"vip": 1, "regular": 1, "loyal": None}),
}


def _kpis(journey: Path) -> dict:
    result = check_file(journey, figures=True)
    assert not result.errors, [d.message for d in result.diagnostics]
    return {v.name: (v.value, v.by_segment) for v in result.figures.kpis.values()}, result


def _close(got, want) -> bool:
    if want is None or got is None:
        return got is want
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)


def _same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for name, (value, by) in want.items():
        assert _close(got[name][0], value), (name, got[name][0], value)
        if by is None:
            assert got[name][1] is None, name
        else:
            assert list(got[name][1]) == list(by), name  # declaration order
            for seg, v in by.items():
                assert _close(got[name][1][seg], v), (name, seg, got[name][1][seg], v)


def test_hand_computed_figures_from_files():
    got, result = _kpis(CASE)
    _same(got, BY_HAND)
    status = result.figures.objectives[0]
    assert (status.value, status.status) == (55, "not_met")  # the overall value decides


def test_duckdb_gives_the_hand_computed_figures(tmp_path):
    import pandas as pd

    files = CASE.parent / "files"
    (tmp_path / "parts").mkdir()
    orders = pd.read_csv(files / "orders.csv", dtype={"customer_id": str}, parse_dates=["date"])
    orders.iloc[:4].to_parquet(tmp_path / "parts" / "orders-1.parquet")
    orders.iloc[4:].to_parquet(tmp_path / "parts" / "orders-2.parquet")
    survey = pd.read_csv(files / "survey.csv", dtype={"customer_id": str}, keep_default_na=False)
    survey["customer_id"] = survey["customer_id"].where(survey["customer_id"] != "", None)
    survey.to_parquet(tmp_path / "parts" / "survey-1.parquet")
    text = CASE.read_text(encoding="utf-8")
    text = text.replace('"files/orders.csv"', '"parts/orders-*.parquet"')
    text = text.replace('"files/survey.csv"', '"parts/survey-*.parquet"')
    (tmp_path / "shop.copis").write_text(text, encoding="utf-8")
    got, _ = _kpis(tmp_path / "shop.copis")
    _same(got, BY_HAND)


JOURNEY = """journey j "J" {{
  data orders "orders.csv" {{ kind transactions }}
  data survey "{survey}"
  segment big "Big" when revenue >= {threshold}
  segment repeat "Repeat" when orders >= 2
  kpi total = sum(survey.score) by segment
  kpi picked = count(survey.score where score >= 5) by segment
  kpi basket = aov(orders) by segment
  kpi buyers = customers(orders) by segment
  kpi per_buyer = total / buyers by segment
}}
"""

CUSTOMERS = ["c1", "c2", "c3", "c4", "c5", "007", "7"]
rows = st.lists(st.tuples(st.sampled_from(CUSTOMERS), st.integers(-20, 90)), min_size=1, max_size=25)
answers = st.lists(st.tuples(st.sampled_from(CUSTOMERS + ["nobody", ""]), st.integers(0, 10)),
                   min_size=1, max_size=25)


def _reference(orders, survey, threshold):
    """Per segment in plain Python: customers are those with an order
    (amount > 0); revenue is net; first match wins."""
    count, net = {}, {}
    for c, a in orders:
        net[c] = net.get(c, 0) + a
        if a > 0:
            count[c] = count.get(c, 0) + 1
    segment = {}
    for c in count:
        segment[c] = "big" if net[c] >= threshold else "repeat" if count[c] >= 2 else None
    out = {}
    for seg in ("big", "repeat"):
        members = {c for c, s in segment.items() if s == seg}
        scores = [v for c, v in survey if c.strip() in members]
        amounts = [a for c, a in orders if c in members and a > 0]
        total = float(sum(scores)) if scores else None
        picked = float(sum(1 for v in scores if v >= 5)) if scores and any(v >= 5 for v in scores) else None
        buyers = float(len(members)) if members else None
        out[seg] = {"total": total, "picked": picked,
                    "basket": sum(amounts) / len(amounts) if amounts else None, "buyers": buyers,
                    "per_buyer": total / buyers if total is not None and buyers else None}
    return out


@settings(max_examples=examples(60), deadline=None)
@given(orders=rows, survey=answers, threshold=st.integers(0, 150), fmt=st.sampled_from(["csv", "parquet"]))
def test_segment_values_match_a_plain_reference(orders, survey, threshold, fmt):
    folder = Path(tempfile.mkdtemp(prefix="copis-by-segment-"))
    try:
        lines = ["customer_id,date,amount"] + [f"{c},2026-01-{1 + i % 28:02d},{a}" for i, (c, a) in enumerate(orders)]
        (folder / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if fmt == "csv":
            survey_path = "survey.csv"
            (folder / survey_path).write_text(
                "customer_id,score\n" + "".join(f" {c} ,{v}\n" for c, v in survey), encoding="utf-8")
        else:  # an engine reads a glob: DuckDB
            import pandas as pd

            survey_path = "survey-*.parquet"
            pd.DataFrame({"customer_id": [f" {c} " if c else None for c, _ in survey],
                          "score": [v for _, v in survey]}).to_parquet(folder / "survey-1.parquet")
        (folder / "j.copis").write_text(JOURNEY.format(survey=survey_path, threshold=threshold), encoding="utf-8")
        result = check_file(folder / "j.copis", figures=True)
        assert not result.errors, [d.message for d in result.errors]
        want = _reference(orders, [(c, v) for c, v in survey if c], threshold)
        for v in result.figures.kpis.values():
            for seg in ("big", "repeat"):
                assert _close(v.by_segment[seg], want[seg][v.name]), (v.name, seg, v.by_segment, want)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_journey_without_data_has_no_segment_values(tmp_path):
    journey = tmp_path / "j.copis"
    journey.write_text('journey j "J" {\n  segment all "All"\n  kpi ten = 10 by segment\n}\n', encoding="utf-8")
    result = check_file(journey, figures=True)
    assert [d.code for d in result.errors] == ["E404"]
    assert result.figures.kpis[0].by_segment == {"all": None}
