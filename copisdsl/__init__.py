"""copisdsl: a compiler for customer journeys written as text.

The stages are public, pure functions; ``copisdsl.api`` chains them:
``parse`` (text -> AST), ``check`` (AST -> model and diagnostics),
``enrich`` (model + data files -> figures) and the renderers.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "parse", "check", "check_file"]


def __getattr__(name: str):
    # Lazy, so that `copis --version` does not load the parser.
    if name in ("parse", "check", "check_file"):
        from copisdsl import api

        return getattr(api, name)
    raise AttributeError(name)
