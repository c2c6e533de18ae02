"""Synthetic journeys of any size, for the benchmarks (deterministic)."""

from __future__ import annotations

STAGES = ("awareness", "consideration", "purchase", "post_purchase", "advocacy")


def journey(touchpoints: int, *, stages: int = 5, flows: bool = True) -> str:
    """A valid journey with ``touchpoints`` touchpoints spread over ``stages``."""
    out = ['journey big "Synthetic journey" {', "  framework service", '  owner "bench"',
           '  persona ann "Ann" { needs "speed"; pains "waiting" }', "  customer ann",
           '  service "Platform"', '  tradeoff discount_depth margin']
    per = max(1, touchpoints // stages)
    ids = []
    for s in range(stages):
        name = STAGES[s % len(STAGES)] + (f"_{s}" if s >= len(STAGES) else "")
        out.append(f'  stage {name} "{name.replace("_", " ").title()}" {{')
        count = per if s < stages - 1 else touchpoints - per * (stages - 1)
        for i in range(count):
            tp = f"t{len(ids)}"
            ids.append(tp)
            out += [
                f'    touchpoint {tp} "Touchpoint {len(ids)} with a longer label" {{',
                "      channel web",
                f'      objective "Lift metric {len(ids)}" increase m{len(ids)} to {len(ids) % 90 + 5}%',
                '      process "Open", "Read", "Click through"',
                '      information "Profile", "History"',
                f"      kpi m{len(ids)} = ratio({len(ids) % 50 + 1}, 100)",
                f"      emotion {len(ids) % 5 + 1}",
                "    }",
            ]
        out.append("  }")
    if flows:
        for a, b in zip(ids, ids[1:]):
            out.append(f"  flow {a} -> {b}")
    out.append("}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(journey(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
