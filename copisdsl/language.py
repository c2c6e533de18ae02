"""The built-in COPIS vocabularies (reference section 5)."""

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

# Statement keywords (section 4). A custom framework may not use them as
# element keys, except the four that are elements of the built-ins too.
STATEMENT_KEYWORDS = (
    "framework", "owner", "description", "tags", "data", "clv", "segment", "persona",
    "stage", "touchpoint", "objective", "kpi", "channel", "emotion", "moment_of_truth",
    "repurchase", "pain", "opportunity", "flow", "tradeoff", "journey",
)
RESERVED_KEYS = frozenset(STATEMENT_KEYWORDS) - {"customer", "objective", "process", "information"}
