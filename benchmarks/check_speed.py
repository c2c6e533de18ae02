"""`copis check` on generated journeys of 100, 1,000 and 10,000 touchpoints,
and the cold start of `copis --version` (each a fresh process, best of 3);
then the issue's yardstick: Lark's own LALR parse of the largest journey
(which took about 1.25 s on the machine where the 2.5 s goal was set)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_of, copis, line  # noqa: E402
from generate import journey  # noqa: E402
from _lark_yardstick import stock_lark_seconds  # noqa: E402

GOALS = {10_000: 2.5}


def main() -> None:
    exe = copis()
    with tempfile.TemporaryDirectory() as tmp:
        print(line("copis --version (cold start)", best_of([exe, "--version"], 5), 0.2))
        small = Path(tmp) / "small.copis"
        small.write_text(journey(5))
        best_of([exe, "check", str(small)], 1)  # warm the grammar cache
        print(line("copis check, 5 touchpoints (cold start)", best_of([exe, "check", str(small)], 5), 0.2))
        for size in (100, 1_000, 10_000):
            path = Path(tmp) / f"j{size}.copis"
            text = journey(size)
            path.write_text(text)
            mb = path.stat().st_size / 1e6
            label = f"copis check, {size:,} touchpoints ({mb:.1f} MB)"
            print(line(label, best_of([exe, "check", str(path)], 3), GOALS.get(size)))
        try:
            stock = stock_lark_seconds(text)  # the largest journey's
        except ValueError as exc:  # the grammar changed under the yardstick's edits
            print(f"yardstick unavailable: {exc}")
        else:
            print(line("  yardstick: Lark's own parse of it (no AST)", stock))


if __name__ == "__main__":
    main()
