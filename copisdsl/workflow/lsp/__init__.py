"""The language server (``copis lsp``): diagnostics, quick fixes,
completion, hover, navigation, formatting and semantic tokens over stdio.

Modules: ``server`` (pygls wiring), ``documents`` (snapshots),
``diagnostics``, ``actions``, ``completion`` (with ``context`` and
``columns``), ``hover``, ``index`` and ``navigation``, ``outline``
(symbols, folding, semantic tokens), ``positions`` (UTF-16).
"""
