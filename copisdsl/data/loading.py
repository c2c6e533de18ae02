"""Reading data files into pandas DataFrames, by extension.

CSV and TSV go through pyarrow's multithreaded reader (only the columns
used), with pandas' own parser as the fallback for files pyarrow rejects;
what pyarrow read stays an Arrow table until a DataFrame is asked for
(``Loaded.frame``), so that DuckDB can scan it without pandas (imported
only then: it is half the start-up of a check with data);
Parquet reads only the columns used; JSON Lines through pyarrow, falling
back to pandas for fields of mixed types; Excel (``.xlsx``) through openpyxl,
an optional extra. Text that is not UTF-8 is read as Windows-1252 (what
spreadsheet programs write on Western Windows systems), unless the file is
UTF-8 elsewhere: then its bad bytes are bytes (``Loaded.undecodable``).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from copisdsl.locations import FORMATS, file_format  # noqa: F401 - re-exported

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

SUPPORTED = ".csv, .tsv, .parquet, .jsonl (JSON Lines) and .xlsx (optionally .gz-compressed text)"
FALLBACK_ENCODING = "cp1252"


class LoadError(Exception):
    """A file that cannot be read; becomes an E400."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Loaded:
    """A file's rows (only the requested columns that exist) and every
    column name the file has, in file order. The rows are a DataFrame
    (``frame``), or, as pyarrow read them, an Arrow table (``arrow``) made
    a DataFrame when ``frame`` is first read."""

    rows: pd.DataFrame | pa.Table
    columns: list[str]
    format: str
    hint: str | None = None  # for an unknown column: e.g. the delimiter looks wrong
    #: Columns holding bytes that are not text (a binary Parquet column, a
    #: CSV field that is not UTF-8): the 0-based row of the first; such
    #: values stay ``bytes`` in the frame, and any use of the column is E402
    #: (known once ``frame`` has been read).
    undecodable: dict[str, int] = field(default_factory=dict)
    #: Excel columns holding a formula without a saved value (a workbook
    #: written by a script and never opened): the 0-based row of the first.
    uncached: dict[str, int] = field(default_factory=dict)

    @property
    def arrow(self) -> pa.Table | None:
        """The rows as pyarrow read them; None once they are a DataFrame, or
        when pandas read them."""
        return None if _is_frame(self.rows) else self.rows

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (pandas imported and the table converted
        here, once); ``LoadError`` when the conversion fails."""
        if not _is_frame(self.rows):
            try:
                self.rows = _arrow_to_pandas(self.rows, self.undecodable)
            except Exception as exc:  # noqa: BLE001 - as a reader's own error: a bad file, never a traceback
                raise LoadError(f"cannot read the file as {self.format.upper()}: {_reason(exc)}") from None
        return self.rows


def _is_frame(rows) -> bool:
    import sys

    pandas = sys.modules.get("pandas")  # rows that are a DataFrame have imported it
    return pandas is not None and isinstance(rows, pandas.DataFrame)


def read(path: Path, wanted: set[str], *, delimiter: str | None = None,
         sheet: str | None = None, text: frozenset[str] = frozenset()) -> Loaded:
    """Read ``path``; only the ``wanted`` columns that exist are loaded.

    The ``text`` columns (customer IDs, section 14) are read as the text the
    file holds, never through a number: ``007`` stays ``007``, a 20-digit ID
    keeps every digit, ``1e3`` is not ``1000``; integers stored as numbers
    (Parquet, JSON, Excel) become their decimal text. Raises ``LoadError``
    for an unsupported, empty or malformed file.
    """
    loaded = _read_any(path, wanted, delimiter, sheet, text)
    counts = Counter(loaded.columns)
    twice = [c for c in loaded.columns if counts[c] > 1 and c in wanted]
    if twice:
        raise LoadError(f"the column '{twice[0]}' appears {counts[twice[0]]} times in the header",
                        "give every column its own name")
    return loaded


def _read_any(path: Path, wanted: set[str], delimiter: str | None, sheet: str | None,
              text: frozenset[str]) -> Loaded:
    fmt, gz = file_format(path)
    if fmt is None:
        raise LoadError(f"unsupported data format '{''.join(path.suffixes) or path.name}'",
                        f"supported: {SUPPORTED}")
    try:
        if fmt in ("csv", "tsv"):
            sep = delimiter or ("\t" if fmt == "tsv" else ",")
            return _read_csv(_raw(path, gz), wanted, sep, fmt, text)
        if fmt == "jsonl":
            return _read_jsonl(_raw(path, gz), wanted, text)
        if fmt == "parquet":
            return _read_parquet(path, wanted, text)
        return _read_excel(path, wanted, sheet, text)
    except LoadError:
        raise
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise LoadError(f"cannot read the file: {_reason(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a reader's own error is a bad file, never a traceback
        raise LoadError(f"cannot read the file as {fmt.upper() if fmt != 'excel' else 'Excel'}: "
                        f"{_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


#: The most bytes of a data file read, before and after decompression: a
#: bound on memory, far above the data of a journey's KPIs (docs/language.md,
#: "Limits"). Parquet and Excel files are held to it on disk, and an Excel
#: workbook (a zip) to it unpacked.
MAX_DATA_BYTES = 256 * 1024 * 1024


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


def check_size(path: Path) -> None:
    """A ``LoadError`` for a file larger than ``MAX_DATA_BYTES``."""
    size = path.stat().st_size
    if size > MAX_DATA_BYTES:
        raise LoadError(f"the file is larger than {_mib(MAX_DATA_BYTES)}, more than copis reads",
                        "aggregate the data first, or keep only the columns and rows the KPIs use")


def _raw(path: Path, gz: bool) -> bytes:
    check_size(path)
    with open(path, "rb") as handle:
        if gz:
            with gzip.GzipFile(fileobj=handle) as unpacked:
                data = unpacked.read(MAX_DATA_BYTES + 1)
            if len(data) > MAX_DATA_BYTES:
                raise LoadError(f"the file expands to more than {_mib(MAX_DATA_BYTES)} when "
                                "decompressed, more than copis reads",
                                "aggregate the data first, or keep only the columns and rows the KPIs use")
        else:
            data = handle.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("the file is UTF-16 text; copis reads UTF-8 (or Windows-1252)",
                        "save it as UTF-8 (in a spreadsheet program: CSV UTF-8)")
    return data


def _decode_line(line: bytes) -> tuple[str, str]:
    try:
        return line.decode("utf-8"), "utf8"
    except UnicodeDecodeError:
        return line.decode(FALLBACK_ENCODING, errors="replace"), FALLBACK_ENCODING


# ---------------------------------------------------------------- CSV / TSV


def _read_csv(data: bytes, wanted: set[str], sep: str, fmt: str, text: frozenset[str]) -> Loaded:
    if not data.strip():
        raise LoadError("the file is empty", "the first line must name the columns")
    end = data.find(b"\n")
    head_text, encoding = _decode_line(data[: end if end >= 0 else len(data)].rstrip(b"\r"))
    header = next(csv.reader([head_text], delimiter=sep), [])
    if len(header) == 1 and sep == "," and ";" in head_text:
        hint = 'the header contains \';\': add `delimiter ";"` to the data declaration'
    else:
        hint = None
    columns = list(header)
    use = [c for c in columns if c in wanted]
    rows = None
    undecodable: dict[str, int] = {}
    if encoding == "utf8":
        rows = _csv_pyarrow(data, use, sep, "utf8", text)
    if rows is None:
        rows = _csv_pyarrow(data, use, sep, FALLBACK_ENCODING, text)
    if rows is None:
        utf8 = encoding == "utf8" and (data.isascii() or _is_utf8_elsewhere(data))
        rows = _csv_pandas(data, use, sep, "utf8" if utf8 else FALLBACK_ENCODING, undecodable)
    return Loaded(rows, columns, fmt, hint, undecodable)


# A character of two to four bytes, validly encoded: a file that has one is
# UTF-8, and its other non-ASCII bytes are errors, not Windows-1252 letters
# (which seldom pair up so: "Ã©" is how "é" in UTF-8 looks in Windows-1252).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte ``surrogateescape`` could not decode


def _is_utf8_elsewhere(data: bytes) -> bool:
    return _UTF8_SEQUENCE.search(data) is not None


# Times without a UTC offset only: pyarrow's own ISO 8601 parser turns a
# column whose every value has an offset into UTC times, while dates are
# taken in their local time, as written; such text is parsed in Table.
_TIMESTAMPS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]


def _csv_pyarrow(data: bytes, use: list[str], sep: str, encoding: str,
                 text: frozenset[str]) -> pa.Table | None:
    """pyarrow's reader; None when it cannot read the file as given (the
    caller falls back), including text that is not valid ``encoding`` in a
    file that is not UTF-8 elsewhere (``_is_utf8_elsewhere``; in one that
    is, the columns with bad bytes stay binary, for ``Loaded.undecodable``)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(encoding=encoding),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(include_columns=use, strings_can_be_null=True,
                                                 timestamp_parsers=_TIMESTAMPS,
                                                 column_types={c: pa.string() for c in use if c in text}),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None  # UnicodeDecodeError: a byte Windows-1252 leaves undefined (0x81, 0x8d, ...)
    if encoding == "utf8" and any(pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)
                                  for f in table.schema) and not _is_utf8_elsewhere(data):
        return None  # bytes that are not UTF-8: read again as Windows-1252
    return table


def _csv_pandas(data: bytes, use: list[str], sep: str, encoding: str,
                undecodable: dict[str, int]) -> pd.DataFrame:
    # No usecols here: with it, pandas silently drops the extra fields of a
    # ragged line, which usually means a text field with an unquoted comma.
    # Bytes that do not decode come out as lone surrogates, made bytes again.
    import pandas as pd

    codec = "utf-8" if encoding == "utf8" else FALLBACK_ENCODING
    try:
        frame = pd.read_csv(io.BytesIO(data), sep=sep, low_memory=False, dtype=object,
                            keep_default_na=True, encoding=codec, encoding_errors="surrogateescape")
        frame = frame[[c for c in frame.columns if c in use]]
        for name in frame.columns:
            bad = frame[name].map(lambda v: isinstance(v, str) and _ESCAPED.search(v) is not None).to_numpy(bool)
            if bad.any():
                undecodable[name] = int(bad.argmax())
                frame[name] = [v.encode(codec, "surrogateescape") if b else v for v, b in zip(frame[name], bad)]
        return frame
    except pd.errors.ParserError as exc:
        raise LoadError(f"cannot read the file as CSV: {_tokenizer_reason(exc)}",
                        "every line must have as many fields as the header"
                        + ('; check the `delimiter`' if sep != "\t" else "")) from None


def _tokenizer_reason(exc: Exception) -> str:
    text = _reason(exc)
    # "Error tokenizing data. C error: Expected 3 fields in line 5, saw 4"
    return text.split("C error: ", 1)[-1]


def _arrow_to_pandas(table, undecodable: dict[str, int] | None = None) -> pd.DataFrame:
    """Arrow table -> DataFrame; calendar dates become datetime64 (not
    Python date objects), so that date handling stays vectorised. A binary
    column is text where its bytes are UTF-8; one holding other bytes keeps
    those as ``bytes``, its first such row noted in ``undecodable``."""
    import pandas as pd
    import pyarrow as pa

    binary = []
    for i, column in enumerate(table.schema):
        if pa.types.is_date(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.timestamp("s")))
        elif pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            try:
                table = table.set_column(i, column.name, table.column(i).cast(pa.string()))
            except pa.ArrowInvalid:  # bytes that are not UTF-8
                binary.append(column.name)
    frame = table.to_pandas()
    for name in binary:
        values = [_text_or_bytes(v) for v in frame[name]]
        frame[name] = pd.Series(values, index=frame.index, dtype=object)
        if undecodable is not None:
            undecodable[name] = next(i for i, v in enumerate(values) if isinstance(v, bytes))
    return frame


def _text_or_bytes(value):
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


# ---------------------------------------------------------------- JSON Lines


def _read_jsonl(data: bytes, wanted: set[str], text: frozenset[str]) -> Loaded:
    import pyarrow as pa
    import pyarrow.json as pajson

    if not data.strip():
        raise LoadError("the file is empty", "JSON Lines hold one JSON object per line")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode(FALLBACK_ENCODING, errors="replace").encode("utf-8")
    try:
        table = pajson.read_json(io.BytesIO(data))
        columns = list(table.column_names)
        table = table.select([c for c in columns if c in wanted])
        table = _integers_as_text(table, text)
        if all(pa.types.is_string(table.schema.field(name).type) for name in text & set(table.column_names)):
            return Loaded(table, columns, "jsonl")  # its text IDs as written: no DataFrame needed yet
        frame = _arrow_to_pandas(table)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        import pandas as pd

        try:
            frame = pd.read_json(io.BytesIO(data), lines=True, dtype=False)
        except ValueError as exc:
            raise LoadError(f"cannot read the file as JSON Lines: {_reason(exc)}",
                            "each line must be one JSON object, like {\"score\": 9}") from None
        columns = [str(c) for c in frame.columns]
        frame = frame[[c for c in columns if c in wanted]]
    for name in text:
        if name in frame.columns and not frame[name].map(lambda v: isinstance(v, str) or v is None).all():
            frame[name] = _json_texts(data, name)
    return Loaded(frame, columns, "jsonl")


def _json_texts(data: bytes, name: str) -> list[str | None]:
    """The field ``name`` of every line as written: numbers keep their digits
    (a JSON reader would turn 12345678901234567890 or 1e3 into a float)."""
    import json

    out: list[str | None] = []
    for line in data.decode("utf-8").splitlines():
        if not line.strip():
            continue
        value = json.loads(line, parse_int=str, parse_float=str).get(name)
        out.append(None if value is None else str(value))
    return out


def _integers_as_text(table: pa.Table, text: frozenset[str], floats: bool = False) -> pa.Table:
    """The ``text`` columns of ``table`` that hold integers (and, with
    ``floats``, floats) as their decimal text: exact for 64 bits."""
    import pyarrow as pa

    for i, column in enumerate(table.schema):
        if column.name in text and (pa.types.is_integer(column.type)
                                    or (floats and pa.types.is_floating(column.type))):
            table = table.set_column(i, column.name, table.column(i).cast(pa.string()))
    return table


# ---------------------------------------------------------------- Parquet


def _read_parquet(path: Path, wanted: set[str], text: frozenset[str]) -> Loaded:
    import pyarrow.parquet as pq

    check_size(path)
    schema = pq.read_schema(path)
    columns = [c for c in schema.names if c != "__index_level_0__"]
    table = pq.read_table(path, columns=[c for c in columns if c in wanted])
    table = _integers_as_text(table, text, floats=True)
    undecodable: dict[str, int] = {}
    return Loaded(_arrow_to_pandas(table, undecodable), columns, "parquet", undecodable=undecodable)


# ---------------------------------------------------------------- Excel


def _check_unpacked(path: Path) -> None:
    """A workbook is a zip: held to ``MAX_DATA_BYTES`` on disk and unpacked."""
    import zipfile

    check_size(path)
    try:
        with zipfile.ZipFile(path) as book:
            unpacked = sum(info.file_size for info in book.infolist())
    except zipfile.BadZipFile:
        return  # openpyxl says what is wrong with it
    if unpacked > MAX_DATA_BYTES:
        raise LoadError(f"the workbook expands to more than {_mib(MAX_DATA_BYTES)} when unpacked, "
                        "more than copis reads", "save the sheets the KPIs use as CSV")


def _read_excel(path: Path, wanted: set[str], sheet: str | None, text: frozenset[str]) -> Loaded:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise LoadError("reading .xlsx files needs openpyxl, which is not installed",
                        "install the Excel extra: pip install 'copisdsl[excel]'") from None
    import pandas as pd

    _check_unpacked(path)
    with pd.ExcelFile(path, engine="openpyxl") as book:
        names = [str(s) for s in book.sheet_names]
        if sheet is not None and sheet not in names:
            from copisdsl.hints import did_you_mean

            raise LoadError(f"the workbook has no sheet \"{sheet}\"",
                            did_you_mean(sheet, names) or f"its sheets are {', '.join(names)}")
        frame = pd.read_excel(book, sheet_name=sheet if sheet is not None else 0)
    columns = [str(c) for c in frame.columns]
    if not columns:
        raise LoadError(f"the sheet \"{sheet or names[0]}\" is empty",
                        "the first row must name the columns")
    frame.columns = columns
    frame = frame[[c for c in columns if c in wanted]]
    for name in text & set(frame.columns):
        frame[name] = [None if pd.isna(v) else str(int(v)) if isinstance(v, float) and v.is_integer()
                       else str(v) for v in frame[name]]
    gaps = [c for c in frame.columns if frame[c].isna().any()]
    uncached = _uncached_formulas(path, sheet or names[0], columns, gaps) if gaps else {}
    return Loaded(frame, columns, "excel", uncached=uncached)


def _uncached_formulas(path: Path, sheet: str, columns: list[str], gaps: list[str]) -> dict[str, int]:
    """The columns of ``gaps`` (those with empty cells) where a cell is a
    formula whose value the workbook does not hold: openpyxl reads saved
    values only, and a formula never calculated (as a script writes it)
    would pass for an empty cell. Read again only for such columns."""
    import openpyxl

    where = {columns.index(c): c for c in gaps}
    found: dict[str, int] = {}
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = zip(book[sheet].iter_rows(min_row=2, values_only=True),
                   values[sheet].iter_rows(min_row=2, values_only=True))
        for row, (formulas, saved) in enumerate(rows):
            for i, name in where.items():
                if name not in found and i < len(formulas) and isinstance(formulas[i], str) \
                        and formulas[i].startswith("=") and (i >= len(saved) or saved[i] is None):
                    found[name] = row
            if len(found) == len(where):
                break
    finally:
        book.close()
        values.close()
    return found
