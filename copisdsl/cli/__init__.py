"""The `copis` command: a click group (``main``) and one thin module per
subcommand, each registering itself on it."""

from copisdsl.cli.main import end_process, main, run

__all__ = ["end_process", "main", "run"]
