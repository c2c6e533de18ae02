"""Exports of a resolved journey for other tools: JSON (reference section
10) and Mermaid's ``journey`` diagram."""
