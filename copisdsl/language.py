"""The language's vocabulary, in one place: its keywords (the grammar's
keyword terminals, a test holds them equal), the built-in COPIS frameworks
(reference section 5), the KPI functions, the kinds of KPI values, the
``clv { }`` settings, the ``data`` options and the per-customer variables of
segment conditions."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FrameworkDef:
    """A framework: its element keys in order, with display labels."""

    name: str
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    builtin: bool = True
    description: str = field(default="", compare=False)

    def label(self, key: str) -> str:
        return self.labels[self.keys.index(key)] if key in self.keys else key

    @property
    def customer_key(self) -> str | None:
        """The customer-like element, whose values may be persona IDs:
        ``customer`` wherever a framework has it, ``people`` in ``advocacy``."""
        if "customer" in self.keys:
            return "customer"
        if self.builtin and "people" in self.keys:
            return "people"
        return None

    @property
    def objective_key(self) -> str | None:
        """The element that ``objective`` statements fill, if any."""
        return "objective" if "objective" in self.keys else None


BUILTIN: dict[str, FrameworkDef] = {
    fw.name: fw
    for fw in (
        FrameworkDef("service", ("customer", "objective", "process", "information", "service"),
                     ("Customer", "Objective", "Process", "Information", "Service"),
                     description="Customer, Objective, Process, Information, Service"),
        FrameworkDef("system", ("customer", "objective", "process", "information", "system"),
                     ("Customer", "Objective", "Process", "Information", "System"),
                     description="Customer, Objective, Process, Information, System"),
        FrameworkDef("advocacy", ("context", "objective", "people", "information", "technology"),
                     ("Context", "Objectives", "People", "Information", "Supporting technologies"),
                     description="Context, Objectives, People, Information, Supporting technologies"),
        FrameworkDef("sipoc", ("customer", "output", "process", "input", "supplier"),
                     ("Customer", "Output", "Process", "Input", "Supplier"),
                     description="classic COPIS, the reverse of SIPOC"),
    )
}

DEFAULT = BUILTIN["service"]

# Statement keywords (section 4), in the order hints list them. A custom
# framework may not use them as element keys, except the four that are
# elements of the built-ins too.
STATEMENT_KEYWORDS = (
    "framework", "owner", "description", "tags", "data", "clv", "segment", "persona",
    "stage", "touchpoint", "objective", "kpi", "channel", "emotion", "moment_of_truth",
    "repurchase", "pain", "opportunity", "flow", "tradeoff", "journey",
    "evidence", "frontstage", "backstage", "support", "fail_point",  # blueprint lanes (§11)
)
# The words that continue a statement: objectives, KPIs, segments, filters.
CLAUSE_KEYWORDS = (
    "increase", "decrease", "maintain", "to", "by", "baseline", "when", "where", "and", "or",
)
# What may follow a KPI's expression, in this order (sections 4 and 12.1):
# `kpi METRIC = EXPR [by segment] [baseline NUMBER]`.
KPI_CLAUSES = ("by segment", "baseline")
# Every keyword: the grammar's terminal for each is the word in capitals.
KEYWORDS = STATEMENT_KEYWORDS + CLAUSE_KEYWORDS
RESERVED_KEYS = frozenset(STATEMENT_KEYWORDS) - {"customer", "objective", "process", "information"}

# The kinds of value a KPI gives (how it is shown and which targets fit it).
KPI_KINDS = ("rate", "points", "money", "count", "days", "number")

# KPI functions: name -> (argument shape, kind of the value). Shapes:
# ``column`` one column, ``pair`` two values, ``tx`` a transactions data ID,
# ``tx_window`` a transactions data ID and an optional duration.
FUNCTIONS: dict[str, tuple[str, str]] = {
    "sum": ("column", "number"), "mean": ("column", "number"), "median": ("column", "number"),
    "min": ("column", "number"), "max": ("column", "number"), "count": ("column", "count"),
    "ratio": ("pair", "rate"),
    "nps": ("column", "points"), "csat": ("column", "rate"),
    "aov": ("tx", "money"), "purchase_frequency": ("tx", "number"), "repeat_rate": ("tx", "rate"),
    "churn_rate": ("tx_window", "rate"), "retention_rate": ("tx_window", "rate"),
    "reorder_interval": ("tx", "days"), "clv": ("tx", "money"), "revenue": ("tx", "money"),
    "customers": ("tx", "count"), "orders": ("tx", "count"),
}
# Aggregates whose value is money when they aggregate a transactions file's amount.
MONEY_AGGREGATES = ("sum", "mean", "median", "min", "max")

# The `clv { }` settings (reference sections 8 and 14), in the order hints
# list them, and the words some of them take.
CLV_SETTING_KEYS = ("margin", "discount", "horizon", "model", "unit", "holdout", "interval")
CLV_MODELS = ("historic", "bgnbd", "pareto")
CLV_UNITS = ("day", "week")

# The kinds of ``data`` source (``kind NAME``): one row per order, or one
# row per customer interaction (an event log, reference §12.2).
DATA_KINDS = ("transactions", "events")
# The options of a ``data`` block, in the order hints list them. Inside the
# block ``touchpoint`` is one of them (the event log's column, §12.2), not
# the statement keyword.
DATA_OPTION_KEYS = ("kind", "customer", "date", "amount", "touchpoint", "until", "sheet", "delimiter", "table",
                    "query")

# The per-customer variables a segment condition may compare.

SEGMENT_VARIABLES = ("clv", "orders", "revenue", "aov", "recency", "tenure", "frequency")
