"""Time units, in one place: the language's durations (``d w m y``) in
days, a calendar-average month and year, and nanoseconds per day for the
timestamps data files are read into."""

from __future__ import annotations

DAYS_PER_WEEK = 7.0
DAYS_PER_YEAR = 365.25  # the Julian year: leap years included on average
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
NS_PER_DAY = 86_400 * 1_000_000_000
#: the first and last days the nanosecond timestamps (pandas' datetime64[ns]) hold
NS_DAYS = ("1677-09-22", "2262-04-11")

# A duration's unit (``90d``, ``6w``, ``3m``, ``1y``) in days.
DAYS_PER = {"d": 1.0, "w": DAYS_PER_WEEK, "m": DAYS_PER_MONTH, "y": DAYS_PER_YEAR}
