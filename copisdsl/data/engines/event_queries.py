"""The queries of an event log (reference §12.2), as SQLGlot trees written
in each engine's dialect, like ``queries``.

Each answers with aggregate rows only: one per unknown touchpoint value
(W407), one per touchpoint and segment (reach and value at stake), one per
flow edge (customers and days to the next event), one for the customers
in the log. An event log of ten million rows stays in its engine.

The rows of the log, as every query reads them (``_events``): ``c`` the
customer as trimmed text (§14), ``t`` the touchpoint as trimmed text,
``d`` the date as a timestamp and ``o`` the key that orders equal dates:
the row's position in its files where the engine knows it, else the
touchpoint's position in the journey (a database table has no row order).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from copisdsl.data.engines import queries as q

#: how many unknown touchpoint values W407 names, the most frequent first
MAX_UNKNOWN = 100
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class EventColumns:
    """Where an event log's figures come from: its relation, its mapped
    columns, the column of file order (None: none is known), ``until``.
    ``prepared``: the relation already holds the rows of ``rows`` (columns
    c, t, d), copied by the engine, and ``row`` is its order column;
    ``known``: only those whose touchpoint is the journey's are left."""

    source: exp.Expression
    customer: str
    touchpoint: str
    date: str
    row: str | None
    until: str | None
    prepared: bool = False
    known: bool = False  # the prepared rows are only the journey's touchpoints


def _text(name: str) -> exp.Expression:
    return q.customer_key(q.col(name))  # a customer ID or a touchpoint value as text, trimmed


def rows(log: EventColumns) -> exp.Select:
    """Every row with a customer and a date (on or before ``until``), any
    touchpoint: c, t, d. Projection and filter only, so an engine that keeps
    the order of its input keeps file order here."""
    conds = [exp.Not(this=exp.Is(this=q.col(c), expression=exp.Null())) for c in (log.customer, log.date)]
    conds.append(exp.NEQ(this=_text(log.customer), expression=q.text("")))
    if log.until is not None:
        conds.append(exp.LTE(this=q.as_date(log.date), expression=q.day_literal(log.until)))
    return (exp.select(_text(log.customer).as_("c"), _text(log.touchpoint).as_("t"),
                       exp.cast(q.col(log.date), "TIMESTAMP").as_("d"))
            .from_(log.source.copy()).where(exp.and_(*conds)))


def _base(log: EventColumns) -> exp.Subquery:
    """``rows`` with ``o``, the row's file order (NULL where unknown)."""
    if log.prepared:
        tree = exp.select("c", "t", "d", exp.column(log.row).as_("o")).from_(log.source.copy())
    else:
        tree = rows(log)
        tree.select(exp.Null().as_("o") if log.row is None else q.col(log.row).as_("o"), copy=False)
    return q.subquery(tree, "r")


def _journey(touchpoints: list[str]) -> exp.Expression:
    """The journey's touchpoints as a small inline table (t, k): ID and position."""
    return exp.values([(q.text(t), exp.Literal.number(i)) for i, t in enumerate(touchpoints)],
                      alias="tp", columns=["t", "k"])


def _on_touchpoint() -> exp.Expression:
    return exp.EQ(this=exp.column("t", table="r"), expression=exp.column("t", table="tp"))


def _events(log: EventColumns, touchpoints: list[str]) -> exp.Subquery:
    """The rows whose touchpoint is one of the journey's, the only ones that
    count: c, t, d and ``o``, the order of equal dates (file order, else
    the touchpoint's position in the journey)."""
    if log.known:
        return q.subquery(exp.select("c", "t", "d", exp.column(log.row).as_("o")).from_(log.source.copy()), "e")
    order = exp.column("k", table="tp") if log.row is None else exp.column("o", table="r")
    tree = (exp.select(exp.column("c", table="r"), exp.column("t", table="r"), exp.column("d", table="r"),
                       order.as_("o"))
            .from_(_base(log)).join(_journey(touchpoints), on=_on_touchpoint(), join_type="INNER"))
    return q.subquery(tree, "e")


def unknown(touchpoints: list[str]) -> exp.Expression:
    """The condition of a row (column ``t``) that counts for nothing."""
    return exp.or_(exp.Is(this=exp.column("t"), expression=exp.Null()),
                   exp.Not(this=exp.In(this=exp.column("t"), expressions=[q.text(v) for v in touchpoints])))


def unknown_touchpoints(log: EventColumns, touchpoints: list[str], dialect: str) -> str:
    """Rows (value, rows) for the touchpoint values that are not the
    journey's (a missing one as NULL), the most frequent first, at most
    ``MAX_UNKNOWN`` + 1 of them."""
    value = exp.column("t", table="r")
    tree = (exp.select(value.as_("t"), exp.Count(this=exp.Star()).as_("n")).from_(_base(log))
            .join(_journey(touchpoints), on=_on_touchpoint(), join_type="LEFT")
            .where(exp.Is(this=exp.column("k", table="tp"), expression=exp.Null()))
            .group_by(value.copy())
            .order_by(exp.Ordered(this=exp.column("n"), desc=True), exp.Ordered(this=exp.column("t")))
            .limit(MAX_UNKNOWN + 1))
    return q.write(tree, dialect)


def customer_count(log: EventColumns, touchpoints: list[str], dialect: str) -> str:
    """One row: the distinct customers with an event at a touchpoint of the journey."""
    tree = exp.select(exp.Count(this=exp.Distinct(expressions=[exp.column("c")])).as_("n")).from_(
        _events(log, touchpoints))
    return q.write(tree, dialect)


def reach(log: EventColumns, touchpoints: list[str], customers: exp.Expression | None, dialect: str) -> str:
    """Rows (t, s, n, v): per touchpoint and segment position ``s``, the
    distinct customers ``n`` and the sum ``v`` of their CLV. ``customers``
    is a relation (c, v, s) of the CLV layer's customers (s -1: in no
    segment); without it, ``s`` and ``v`` are NULL. The CLV is summed as
    a decimal (to a millionth): a sum of floats depends on the order a
    parallel engine adds them in, and the same data must give the same bytes."""
    pairs = q.subquery(exp.select("c", "t").distinct().from_(_events(log, touchpoints)), "p")
    if customers is None:
        tree = (exp.select("t", exp.Null().as_("s"), exp.Count(this=exp.Star()).as_("n"), exp.Null().as_("v"))
                .from_(pairs).group_by("t"))
        return q.write(tree, dialect)
    tree = (exp.select(exp.column("t", table="p"), exp.column("s", table="k"),
                       exp.Count(this=exp.Star()).as_("n"), exp.Sum(this=exp.cast(exp.column("v", table="k"), "DECIMAL(38, 6)")).as_("v"))
            .from_(pairs)
            .join(customers, on=exp.EQ(this=exp.column("c", table="p"), expression=exp.column("c", table="k")),
                  join_type="LEFT")
            .group_by(exp.column("t", table="p"), exp.column("s", table="k")))
    return q.write(tree, dialect)


def transitions(log: EventColumns, touchpoints: list[str], edges: list[tuple[str, str]], dialect: str) -> str:
    """Rows (t, nt, n, m) for each flow edge (t, nt) that some customer
    took: ``n`` the distinct customers whose event at ``t`` is followed
    (next in date order, equal dates in the order ``o``) by one at ``nt``,
    ``m`` the median days between the two events over all such steps."""
    order = exp.Order(expressions=[exp.Ordered(this=exp.column("d")), exp.Ordered(this=exp.column("o"))])

    def lead(name: str) -> exp.Expression:
        return exp.Window(this=exp.Lead(this=exp.column(name)), partition_by=[exp.column("c")], order=order.copy())

    steps = exp.select("c", "t", "d", lead("t").as_("nt"), lead("d").as_("nd")).from_(_events(log, touchpoints))
    taken = exp.or_(*[exp.and_(exp.EQ(this=exp.column("t"), expression=q.text(a)),
                               exp.EQ(this=exp.column("nt"), expression=q.text(b))) for a, b in edges])
    seconds = exp.Sub(this=exp.TimeToUnix(this=exp.column("nd")), expression=exp.TimeToUnix(this=exp.column("d")))
    days = exp.Div(this=exp.Paren(this=seconds), expression=q.as_double(exp.Literal.number(SECONDS_PER_DAY)))
    tree = (exp.select("t", "nt", exp.Count(this=exp.Distinct(expressions=[exp.column("c")])).as_("n"),
                       exp.Median(this=q.as_double(days)).as_("m"))
            .from_(q.subquery(steps, "w")).where(taken).group_by("t", "nt"))
    return q.write(tree, dialect)
