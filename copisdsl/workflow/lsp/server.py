"""The language server: pygls wiring over the feature modules.

Checking (parse, resolve, checks) runs on the event loop after a
debounce, so a burst of keystrokes makes one check; figures read data
files, so they run in a worker thread on open and save and are published
with the next diagnostics, never blocking typing.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from lsprotocol import types as t
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from copisdsl import __version__
from copisdsl.workflow.fmt import SuppressionMovedError, UnsafeFormatError, format_source
from copisdsl.workflow.lsp import actions, completion, hover, navigation, outline
from copisdsl.workflow.lsp.context import context_at
from copisdsl.workflow.lsp.diagnostics import publishable, to_range
from copisdsl.workflow.lsp.documents import DataRun, Snapshot, compute_data, display_name, snapshot
from copisdsl.workflow.lsp.positions import Lines

DEBOUNCE = 0.15  # seconds after the last change before a check
REQUEST_FAILED = -32803  # LSP's RequestFailed


class CopisServer(LanguageServer):
    """Holds every open document's latest snapshot, and its last one with a
    model (completion while the text does not parse uses that one)."""

    def __init__(self, debounce: float = DEBOUNCE) -> None:
        super().__init__("copis", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Incremental)
        self.debounce = debounce
        self.snapshots: dict[str, Snapshot] = {}
        self.last_good: dict[str, Snapshot] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.data_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copis-figures")

    # ------------------------------------------------------------ documents
    def refresh(self, uri: str) -> Snapshot:
        """Check the document's current text now and publish."""
        doc = self.workspace.get_text_document(uri)
        snap = snapshot(uri, doc.version, doc.source, self.snapshots.get(uri))
        self.snapshots[uri] = snap
        if snap.model is not None:
            self.last_good[uri] = snap
        self.publish(snap)
        return snap

    def publish(self, snap: Snapshot) -> None:
        self.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=snap.uri, version=snap.version, diagnostics=publishable(snap)))

    def schedule(self, uri: str) -> None:
        """A check ``debounce`` seconds after the last change."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._later(uri))

    async def _later(self, uri: str) -> None:
        await asyncio.sleep(self.debounce)
        self.pending.pop(uri, None)
        if uri in self.snapshots:
            self.refresh(uri)

    def figures(self, uri: str) -> None:
        """Compute the figures in the worker thread, then publish them."""
        snap = self.snapshots.get(uri)
        if snap is None or snap.model is None or not snap.model.data:
            return
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.data_pool, compute_data, snap)
        future.add_done_callback(lambda f: self._figures_done(uri, f))

    def _figures_done(self, uri: str, future) -> None:
        if future.cancelled() or future.exception() is not None or uri not in self.snapshots:
            if not future.cancelled() and future.exception() is not None:
                self.window_log_message(t.LogMessageParams(t.MessageType.Error,
                                                           f"figures failed: {future.exception()!r}"))
            return
        run: DataRun | None = future.result()
        current = self.snapshots[uri]
        current.data = run
        if uri in self.last_good:
            self.last_good[uri].data = run
        self.publish(current)

    def snap(self, uri: str) -> Snapshot:
        """The snapshot of the document's current text (checked now if a
        change is still waiting for its debounce)."""
        snap = self.snapshots.get(uri)
        doc = self.workspace.get_text_document(uri)
        if snap is None or snap.text != doc.source:
            snap = self.refresh(uri)
        return snap


def fail(message: str) -> JsonRpcException:
    return JsonRpcException(message, code=REQUEST_FAILED)


def make_server(debounce: float = DEBOUNCE) -> CopisServer:
    """A server with every feature registered."""
    server = CopisServer(debounce)

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CopisServer, params: t.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)
        ls.figures(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CopisServer, params: t.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CopisServer, params: t.DidSaveTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)
        ls.figures(params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CopisServer, params: t.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.snapshots.pop(uri, None)
        ls.last_good.pop(uri, None)
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[".", " ", ">", "("]))
    def on_completion(ls: CopisServer, params: t.CompletionParams) -> t.CompletionList:
        uri = params.text_document.uri
        snap = ls.snap(uri)
        line, column = snap.lines.from_lsp(params.position.line, params.position.character)
        ctx = context_at(snap.text, snap.lines.lines, line, column)
        good = ls.last_good.get(uri)
        items = completion.complete(ctx, good.model if good is not None else None, uri)
        return t.CompletionList(is_incomplete=False, items=items)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: CopisServer, params: t.HoverParams) -> t.Hover | None:
        snap = ls.snap(params.text_document.uri)
        line, column = snap.lines.from_lsp(params.position.line, params.position.character)
        text = hover.hover_text(snap, line, column)
        if text is None:
            return None
        return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=text))

    def _location(snap: Snapshot, occ) -> t.Location:
        return t.Location(uri=snap.uri, range=to_range(snap.lines, occ.span))

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: CopisServer, params: t.DefinitionParams) -> t.Location | None:
        snap = ls.snap(params.text_document.uri)
        occ = navigation.definition(snap, *snap.lines.from_lsp(params.position.line, params.position.character))
        return _location(snap, occ) if occ is not None else None

    @server.feature(t.TEXT_DOCUMENT_REFERENCES)
    def on_references(ls: CopisServer, params: t.ReferenceParams) -> list[t.Location]:
        snap = ls.snap(params.text_document.uri)
        where = snap.lines.from_lsp(params.position.line, params.position.character)
        return [_location(snap, o) for o in navigation.references(snap, *where, params.context.include_declaration)]

    @server.feature(t.TEXT_DOCUMENT_PREPARE_RENAME)
    def on_prepare_rename(ls: CopisServer, params: t.PrepareRenameParams):
        snap = ls.snap(params.text_document.uri)
        occ = snap.index.at(*snap.lines.from_lsp(params.position.line, params.position.character))
        if occ is None:
            raise fail("only a stage, touchpoint, persona, segment, data source or KPI can be renamed")
        return t.PrepareRenamePlaceholder(range=to_range(snap.lines, occ.span), placeholder=occ.name)

    @server.feature(t.TEXT_DOCUMENT_RENAME, t.RenameOptions(prepare_provider=True))
    def on_rename(ls: CopisServer, params: t.RenameParams) -> t.WorkspaceEdit:
        snap = ls.snap(params.text_document.uri)
        where = snap.lines.from_lsp(params.position.line, params.position.character)
        try:
            occurrences = navigation.rename(snap, *where, params.new_name)
        except navigation.RenameError as exc:
            raise fail(str(exc)) from None
        edits = [t.TextEdit(to_range(snap.lines, o.span), params.new_name) for o in occurrences]
        return t.WorkspaceEdit(changes={snap.uri: edits})

    @server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: CopisServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
        return outline.document_symbols(ls.snap(params.text_document.uri))

    @server.feature(t.TEXT_DOCUMENT_FOLDING_RANGE)
    def on_folding(ls: CopisServer, params: t.FoldingRangeParams) -> list[t.FoldingRange]:
        return outline.folding_ranges(ls.snap(params.text_document.uri))

    @server.feature(t.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, outline.LEGEND)
    def on_tokens(ls: CopisServer, params: t.SemanticTokensParams) -> t.SemanticTokens:
        return t.SemanticTokens(data=outline.semantic_tokens(ls.snap(params.text_document.uri)))

    @server.feature(t.TEXT_DOCUMENT_FORMATTING)
    def on_format(ls: CopisServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
        snap = ls.snap(params.text_document.uri)
        try:
            formatted, _ = format_source(snap.text, display_name(snap.uri))
        except SuppressionMovedError as exc:
            raise fail(f"not formatted: {exc}") from None
        except UnsafeFormatError as exc:
            raise fail(f"not formatted: the formatter could not keep the journey's meaning ({exc})") from None
        if formatted is None:
            raise fail("not formatted: the journey has syntax errors (E100); fix them first")
        if formatted == snap.text:
            return []
        end = Lines(snap.text).end()
        return [t.TextEdit(t.Range(t.Position(0, 0), t.Position(*end)), formatted)]

    @server.feature(t.TEXT_DOCUMENT_CODE_ACTION,
                    t.CodeActionOptions(code_action_kinds=[t.CodeActionKind.QuickFix]))
    def on_code_action(ls: CopisServer, params: t.CodeActionParams) -> list[t.CodeAction]:
        return actions.code_actions(ls.snap(params.text_document.uri), list(params.context.diagnostics))

    return server


def serve() -> None:
    """Run the server over standard input and output."""
    make_server().start_io()
