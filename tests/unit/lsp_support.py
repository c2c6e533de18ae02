"""Helpers for the language server's end-to-end tests: a pytest-lsp
client talking to `copis lsp` over stdio, in a process of its own."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "copisdsl", "lsp"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def client_fixture(scope: str = "module"):
    """A pytest-lsp fixture starting one server for the test module."""

    @pytest_lsp.fixture(scope=scope, config=ClientServerConfig(server_command=SERVER))
    async def client(lsp_client: LanguageClient):
        params = t.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
        await lsp_client.initialize_session(params)
        yield
        await lsp_client.shutdown_session()

    return client


async def published(client: LanguageClient, uri: str, *, codes: set[str] | None = None,
                    version: int | None = None, timeout: float = 20.0) -> list[t.Diagnostic]:
    """The next diagnostics published for ``uri`` (with ``codes``: the
    first publication that has every one of them; with ``version``: of
    that version of the text)."""
    async def wait():
        while True:
            params = await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri != uri or (version is not None and params.version != version):
                continue
            found = {str(d.code) for d in params.diagnostics}
            if codes is None or codes <= found:
                return list(params.diagnostics)

    return await asyncio.wait_for(wait(), timeout)


def open_text(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=uri, language_id="copis", version=version, text=text)))


def change_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """Replace the whole text (a full change)."""
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)]))


def doc(uri: str) -> t.TextDocumentIdentifier:
    return t.TextDocumentIdentifier(uri=uri)


def position_of(text: str, needle: str, offset: int = 0, nth: int = 0) -> t.Position:
    """The LSP position (UTF-16) of the ``nth`` occurrence of ``needle`` (plus ``offset`` characters)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += offset
    before = text[:at]
    line = before.count("\n")
    col = before[before.rfind("\n") + 1:]
    return t.Position(line, len(col.encode("utf-16-le")) // 2)
