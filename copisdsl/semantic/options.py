"""The ``key value`` options of ``data`` and ``clv`` blocks, as tables: each
key names the attribute it sets and the reader that turns its value into
that attribute, or into an E204 diagnostic."""

from __future__ import annotations

from typing import Callable, NamedTuple

from copisdsl.diagnostics import Diagnostic, error
from copisdsl.locations import declaration_problem
from copisdsl.hints import did_you_mean
from copisdsl.language import CLV_MODELS, CLV_SETTING_KEYS, CLV_UNITS
from copisdsl.language import DATA_KINDS, DATA_OPTION_KEYS
from copisdsl.semantic.model import ClvSettings, Data
from copisdsl.semantic.state import ResolveState
from copisdsl.semantic.values import date_problem, duration_months
from copisdsl.syntax import nodes as n

MAX_HORIZON_MONTHS = 1200  # a CLV looks a few years ahead; a longer horizon only exhausts memory
MAX_HOLDOUT_MONTHS = MAX_HORIZON_MONTHS

Reader = Callable[[str, n.Literal], object]  # (key, value) -> the attribute's value or a Diagnostic


class Option(NamedTuple):
    attr: str
    read: Reader


def _kind(key: str, v: n.Literal):
    if v.kind == "name" and v.value in DATA_KINDS:
        return v.value
    return error("E204", f"unknown data kind {v.text}", v.span,
                 did_you_mean(str(v.value), DATA_KINDS) or
                 "the kinds are `transactions` (one row per order) and `events` (one row per "
                 "customer interaction); leave `kind` out for other tables")


def _column(key: str, v: n.Literal):
    if v.kind in ("name", "string"):
        return v.value
    return error("E204", f"'{key}' names a column; got {v.text}", v.span)


def _date(key: str, v: n.Literal):
    problem = date_problem(v)
    return v.value if problem is None else problem


def _sheet(key: str, v: n.Literal):
    if v.kind == "string":
        return v.value
    return error("E204", "'sheet' takes the sheet's name in double quotes", v.span)


def _delimiter(key: str, v: n.Literal):
    if v.kind == "string" and len(v.value) == 1:
        return v.value
    return error("E204", f"'delimiter' takes one character in double quotes; got {v.text}",
                 v.span, 'for example: delimiter ";"')


def _fraction(v: n.Literal) -> float | None:
    if v.kind == "percent":
        return float(v.value)
    if v.kind == "number" and 0 <= v.value <= 1:
        return float(v.value)
    return None


def _percent(key: str, v: n.Literal):
    value = _fraction(v)
    if value is not None and 0 <= value <= 1:
        return value
    return error("E204", f"{key} must be a percent from 0% to 100%; got {v.text}", v.span,
                 f"for example: {key} {'35%' if key == 'margin' else '10%'}")


def _horizon(key: str, v: n.Literal):
    # 0 is no negative duration (reference §6): a lifetime of nothing, a CLV of 0
    return _duration_months(key, v, MAX_HORIZON_MONTHS, "for example: horizon 3y, horizon 18m",
                            "a customer lifetime value looks a few years ahead: horizon 3y, horizon 5y",
                            zero=True)


def _model(key: str, v: n.Literal):
    if v.kind == "name" and v.value in CLV_MODELS:
        return v.value
    return error("E204", f"unknown clv model {v.text}", v.span,
                 did_you_mean(str(v.value), CLV_MODELS) or "the models are " + ", ".join(CLV_MODELS))


def _unit(key: str, v: n.Literal):
    if v.kind == "name" and v.value in CLV_UNITS:
        return v.value
    return error("E204", f"unknown clv unit {v.text}", v.span, "the units are day and week")


def _holdout(key: str, v: n.Literal):
    months = _duration_months(key, v, MAX_HOLDOUT_MONTHS,
                              "the last part of the observation period the model is tested on: holdout 90d, "
                              "holdout 6m", "for example: holdout 90d, holdout 6m")
    if isinstance(months, Diagnostic):
        return months
    return v.value  # (amount, unit): months and years are calendar ones, as in churn_rate


def _duration_months(key: str, v: n.Literal, most: int, example: str, shorter: str, zero: bool = False):
    """A positive duration (or, with ``zero``, one of 0) of at most ``most``
    months, in months; else E204 (``example`` the hint for a value that is
    no such duration, ``shorter`` for one too long)."""
    months = duration_months(v)
    if months is None or months < 0 or (months == 0 and not zero):
        what = "a duration of 0 or more" if zero else "a positive duration"
        return error("E204", f"{key} must be {what}; got {v.text}", v.span, example)
    if months > most:
        return error("E204", f"{key} must be at most {most // 12} years; got {v.text}", v.span, shorter)
    return months


def _interval(key: str, v: n.Literal):
    value = _fraction(v)
    if value is not None and 0 < value < 1:
        return value
    return error("E204", f"interval must be a level above 0% and below 100%; got {v.text}", v.span,
                 "for example: interval 90%")


def _source(key: str, v: n.Literal):
    if v.kind == "string" and v.value.strip():
        return v.value
    return error("E204", f"'{key}' takes the {'table name' if key == 'table' else 'SELECT'} in double quotes; "
                 f"got {v.text}", v.span)


DATA_OPTIONS: dict[str, Option] = {
    "kind": Option("kind", _kind),
    "customer": Option("customer", _column),
    "date": Option("date", _column),
    "amount": Option("amount", _column),
    "touchpoint": Option("touchpoint", _column),
    "until": Option("until", _date),
    "sheet": Option("sheet", _sheet),
    "delimiter": Option("delimiter", _delimiter),
    "table": Option("table", _source),
    "query": Option("query", _source),
}
assert tuple(DATA_OPTIONS) == DATA_OPTION_KEYS
CLV_SETTINGS: dict[str, Option] = {
    "margin": Option("margin", _percent),
    "discount": Option("discount", _percent),
    "horizon": Option("horizon_months", _horizon),
    "model": Option("model", _model),
    "unit": Option("unit", _unit),
    "holdout": Option("holdout", _holdout),
    "interval": Option("interval", _interval),
}
assert tuple(CLV_SETTINGS) == CLV_SETTING_KEYS


def _block_options(state: ResolveState, items, table: dict[str, Option], noun: str, plural: str):
    """The ``key value`` statements of a block, as (key, value); other
    statements, unknown keys and several values are reported and skipped."""
    allowed = tuple(table)
    for item in items:
        if not isinstance(item, n.Generic):
            state.err("E100", f"'{n.statement_keyword(item)}' is not a {noun}", item.span,
                      f"the {plural} are {', '.join(allowed)}")
            continue
        key = item.key.name
        if key not in table:
            state.err("E100", f"unknown {noun} '{key}'", item.key.span,
                      did_you_mean(key, allowed) or f"the {plural} are {', '.join(allowed)}")
            continue
        if len(item.values) != 1:
            state.err("E204", f"'{key}' takes one value", item.values[1].span)
            continue
        yield key, item.values[0]


def _apply(state: ResolveState, target, option: Option, key: str, v: n.Literal) -> None:
    value = option.read(key, v)
    if isinstance(value, Diagnostic):
        state.diags.append(value)
    else:
        setattr(target, option.attr, value)


def data(state: ResolveState, d: n.Data) -> Data:
    """A ``data`` block's options read into a ``Data``."""
    result = Data(d.id.name, d.path.value, d)
    for key, v in _block_options(state, d.options or (), DATA_OPTIONS, "data option", "options"):
        result.option_spans[key] = v.span
        _apply(state, result, DATA_OPTIONS[key], key, v)
    if "touchpoint" in result.option_spans and not result.is_events:
        state.err("E204", "'touchpoint' names the touchpoint column of an event log", result.option_spans["touchpoint"],
                  f"add `kind events` to data '{result.id}', or leave `touchpoint` out")
    _source_problem(state, d, result)
    return result


def _source_problem(state: ResolveState, d: n.Data, data: Data) -> None:
    """E204 for a URL with a password or without exactly one of ``table``
    / ``query`` (reference §13); such a source is not read."""
    problem = declaration_problem(data.path, "table" in data.option_spans, "query" in data.option_spans)
    if problem is None:
        return
    where, message, hint = problem
    state.err("E204", message, data.problem_span(where), hint)
    data.unusable = True


def clv(state: ResolveState, c: n.Clv) -> ClvSettings:
    """A ``clv`` block's settings read into ``ClvSettings``."""
    settings = ClvSettings(node=c)
    spans = {}
    for key, v in _block_options(state, c.settings, CLV_SETTINGS, "clv setting", "settings"):
        spans[key] = v.span
        _apply(state, settings, CLV_SETTINGS[key], key, v)
    if settings.model == "historic":
        # Both measure a fitted model; the historic CLV has no parameters to fit.
        for key in ("holdout", "interval"):
            if key in spans and getattr(settings, key) is not None:
                setattr(settings, key, None)
                state.err("E204", f"'{key}' needs a fitted model; the historic CLV has none", spans[key],
                          f"add `model bgnbd` to the clv settings, or leave `{key}` out")
    return settings
