"""AST -> Model: placement of statements, symbol tables, options and
defaults (``copisdsl.semantic.resolve.resolve`` is the entry point), the
resolved model and the values it holds."""
