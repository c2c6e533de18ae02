"""`copis lsp`: the language server over standard input and output (see ``copisdsl.workflow.lsp``)."""

from __future__ import annotations

import click

from copisdsl.cli.main import EXIT_USAGE, main


@main.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk over standard input and output (the default and only transport).")
def lsp_cmd(stdio):
    """Run the language server for editors (VS Code, Neovim, ...).

    Needs the `lsp` extra: pip install 'copisdsl[lsp]'.
    """
    try:
        from copisdsl.workflow.lsp.server import serve
    except ImportError as exc:
        missing = (exc.name or "pygls").split(".")[0]
        click.echo(f"copis lsp needs pygls ({missing} is not installed): pip install 'copisdsl[lsp]'", err=True)
        raise SystemExit(EXIT_USAGE) from None
    serve()
