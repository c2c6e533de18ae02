"""The language server's semantic tokens, decoded, straight from
``lsp.outline`` (the server round trip is tests/unit/workflow/test_lsp_edits.py)."""

from __future__ import annotations

from copisdsl.language import DATA_OPTION_KEYS
from copisdsl.workflow.lsp.documents import snapshot
from copisdsl.workflow.lsp.outline import TOKEN_TYPES, semantic_tokens


def decoded(text: str) -> list[tuple[int, str, str]]:
    """(line, text, type) of each semantic token."""
    lines, data = text.split("\n"), semantic_tokens(snapshot("file:///j.copis", 1, text))
    out, line, start = [], 0, 0
    for i in range(0, len(data), 5):
        line += data[i]
        start = data[i + 1] + (start if data[i] == 0 else 0)
        out.append((line, lines[line][start:start + data[i + 2]], TOKEN_TYPES[data[i + 3]]))
    return out


def test_data_options_are_properties_touchpoint_included():
    # `touchpoint COL` in a data block is an option (reference 12.2), as `date COL` is.
    block = "\n".join(f"    {key} x_{key}" for key in DATA_OPTION_KEYS)
    text = (f'journey j "J" {{\n  data visits "v.csv" {{\n{block}\n  }}\n'
            '  data orders "o.csv" { kind transactions; touchpoint tp; date d }\n'
            '  stage s "S" { touchpoint t "T" {} }\n}\n')
    found = decoded(text)
    options = [(word, kind) for _, word, kind in found if word in DATA_OPTION_KEYS]
    assert options == [(key, "property") for key in DATA_OPTION_KEYS] + [
        ("kind", "property"), ("touchpoint", "property"), ("date", "property"), ("touchpoint", "keyword")]
    assert (2 + len(DATA_OPTION_KEYS) + 2, "touchpoint", "keyword") in found  # the stage's: a declaration again
    assert (1, "data", "keyword") in found and (1, "visits", "parameter") in found
