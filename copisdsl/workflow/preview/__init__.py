"""The live preview of ``copis watch --serve``: an HTTP server for the built
reports (``server.py``) and the script it adds to their pages (``client.js``)."""

from copisdsl.workflow.preview.server import PreviewServer, inject

__all__ = ["PreviewServer", "inject"]
