"""A team's workflow around the pipeline: build, fmt, diff, export, watch
with its live preview, the MkDocs plugin. Nothing here prints: the command
line (``copisdsl.cli``) does."""
