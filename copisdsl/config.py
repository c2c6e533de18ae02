"""Configuration (reference, section 15): ``copis.toml`` (top-level keys)
or ``[tool.copis]`` in ``pyproject.toml``, looked for from a journey's
folder upwards to the git work tree's root (or the filesystem root).

    Settings(...).for_file(path) -> Config   (what applies to one journey)
    load_config(path)            -> Config   (one file, validated)

The nearest file wins; in one folder ``copis.toml`` wins over
``pyproject.toml``, and a ``pyproject.toml`` without ``[tool.copis]`` is
passed over. Files are not merged. A bad file raises ``ConfigError``,
which names the file and the key (a usage error, exit 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from copisdsl.codes import BY_CODE

CONFIG_NAMES = ("copis.toml", "pyproject.toml")
KEYS = ("strict", "ignore", "error", "exclude", "root")


class ConfigError(Exception):
    """A configuration that cannot be used: the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """One configuration: where it came from (None: no file) and its keys,
    ``root`` and ``exclude`` resolved against the file's folder."""

    path: Path | None = None
    strict: bool = False
    ignore: frozenset[str] = frozenset()
    error: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    root: Path | None = None

    @property
    def folder(self) -> Path | None:
        return self.path.parent if self.path is not None else None

    def policy(self):
        """The ``checks.suppression.Policy`` of this configuration."""
        from copisdsl.checks.suppression import Policy

        return Policy(self.ignore, self.error)

    def excludes(self, path: Path) -> bool:
        """Whether ``path`` (or a folder it is in) matches an ``exclude`` glob."""
        if not self.exclude or self.folder is None:
            return False
        try:
            relative = Path(path).resolve().relative_to(self.folder.resolve())
        except ValueError:
            return False
        return any(glob_matches(pattern, relative.as_posix()) for pattern in self.exclude)


NO_CONFIG = Config()


def load_config(path: Path) -> Config | None:
    """The configuration in ``path`` (a ``copis.toml``, or a
    ``pyproject.toml``'s ``[tool.copis]``; None when a pyproject.toml has
    none). Raises ``ConfigError``."""
    import tomllib

    path = Path(path)
    shown = path.as_posix()
    try:
        with open(path, "rb") as handle:
            doc = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read it: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: not valid TOML: {exc}") from None
    prefix = ""
    if path.name == "pyproject.toml":
        tool = doc.get("tool", {})
        if not isinstance(tool, dict) or "copis" not in tool:
            return None
        doc, prefix = tool["copis"], "tool.copis."
        if not isinstance(doc, dict):
            raise ConfigError(f"{shown}: 'tool.copis' must be a table")
    values = {}
    for key, value in doc.items():
        if key not in KEYS:
            raise ConfigError(f"{shown}: unknown key '{prefix}{key}' (the keys are {', '.join(KEYS)})")
        values[key] = _value(shown, prefix + key, key, value)
    folder = path.resolve().parent
    root = values.pop("root", None)
    if root is not None and not (folder / root).is_dir():
        raise ConfigError(f"{shown}: key '{prefix}root' must name an existing folder, not {root!r}")
    return Config(path, root=(folder / root) if root is not None else None, **values)


def _value(shown: str, name: str, key: str, value):
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{shown}: key '{name}' must be {expected}, not {value!r}")

    if key == "strict":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if key == "root":
        if not isinstance(value, str) or not value:
            raise bad("a folder's path (a string)")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("a list of strings")
    if key == "exclude":
        return tuple(value)
    try:
        return warning_codes(value, what=key)
    except ValueError as exc:
        raise ConfigError(f"{shown}: key '{name}': {exc}") from None


def warning_codes(codes: Iterable[str], *, what: str = "ignore") -> frozenset[str]:
    """Codes as ``ignore`` and ``error`` take them: known warning codes
    (upper-cased). Raises ``ValueError`` naming an unknown or error code."""
    out = set()
    for raw in codes:
        code = raw.strip().upper()
        info = BY_CODE.get(code)
        if info is None:
            raise ValueError(f"'{raw}' is not a diagnostic code (see docs/diagnostics.md)")
        if info.severity == "error":
            verb = "ignored" if what == "ignore" else "made errors (it is one)"
            raise ValueError(f"{code} is an error code; only warnings can be {verb}")
        out.add(code)
    return frozenset(out)


def find_config(folder: Path) -> Path | None:
    """The configuration file nearest to ``folder``: in it or a folder
    above, up to the git work tree's root (or the filesystem's)."""
    folder = Path(folder).resolve()
    for place in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = place / name
            if candidate.is_file() and (name == "copis.toml" or _has_copis_table(candidate)):
                return candidate
        if (place / ".git").exists():
            return None  # the work tree's root: a configuration above it belongs to another project
    return None


def _has_copis_table(pyproject: Path) -> bool:
    # Read only a file that mentions copis: another project's broken pyproject.toml is not ours to judge.
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "copis" in text and load_config(pyproject) is not None


@dataclass
class Settings:
    """What the command line says about configuration: a file to use
    (``--config``) or none at all (``--no-config``), and codes to ignore or
    make errors (``--ignore``, ``--error``, added to the file's), ``strict``
    (``--strict``: True overrides the file's). ``for_file`` gives the
    configuration of each journey (files are read once per Settings)."""

    config_file: Path | None = None
    no_config: bool = False
    ignore: frozenset[str] = frozenset()
    error: frozenset[str] = frozenset()
    strict: bool = False
    _loaded: dict = field(default_factory=dict, repr=False)  # file -> Config
    _found: dict = field(default_factory=dict, repr=False)  # folder -> its configuration file

    def fresh(self) -> Settings:
        """The same settings, with the configuration files to be read again."""
        return Settings(self.config_file, self.no_config, self.ignore, self.error, self.strict)

    def for_file(self, path: Path) -> Config:
        """The configuration of the journey at ``path``. Raises ``ConfigError``."""
        base = self.base(Path(path).resolve().parent)
        if not (self.ignore or self.error or self.strict):
            return base
        return Config(base.path, base.strict or self.strict,
                      (base.ignore - self.error) | self.ignore, (base.error - self.ignore) | self.error,
                      base.exclude, base.root)

    def base(self, folder: Path) -> Config:
        """The configuration file's for a folder (before the command line's codes)."""
        if self.no_config:
            return NO_CONFIG
        if self.config_file is not None:
            found = Path(self.config_file)
        else:
            folder = Path(folder).resolve()
            if folder not in self._found:
                self._found[folder] = find_config(folder)
            found = self._found[folder]
            if found is None:
                return NO_CONFIG
        key = found.resolve()
        if key not in self._loaded:
            loaded = load_config(found)
            if loaded is None:
                raise ConfigError(f"{found.as_posix()}: has no [tool.copis] table")
            self._loaded[key] = loaded
        return self._loaded[key]


def glob_matches(pattern: str, relative: str) -> bool:
    """Whether a path relative to the configuration's folder matches an
    ``exclude`` glob, as ``.gitignore`` patterns do: ``*`` and ``?`` stay
    within one name, ``**`` spans folders; a pattern without ``/`` matches
    a name at any depth; a path inside a matching folder matches too."""
    pattern = pattern.strip().removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    if not pattern:
        return False
    regex = re.compile(_translate(pattern))
    parts = relative.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    if anchored:
        return any(regex.fullmatch(p) for p in prefixes)
    return any(regex.fullmatch(name) for name in parts)


def _translate(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)
