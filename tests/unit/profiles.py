"""How many examples a property test tries under the profile in use (see
tests/conftest.py): its own number in the full profile, a tenth of it
(at least 5) in the quick one."""

from __future__ import annotations

import os


def examples(full: int) -> int:
    """``full`` examples under ``HYPOTHESIS_PROFILE=full``, fewer under ``quick``."""
    if os.environ.get("HYPOTHESIS_PROFILE", "full") == "quick":
        return max(5, full // 10)
    return full
