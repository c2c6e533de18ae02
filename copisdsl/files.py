"""Writing files: the one choke point through which every command writes.

Three kinds of writes, each refusing to touch what is not ours:

- ``write_inside(folder, relative, data)``: a file of a build's output
  folder. No component below ``folder`` may be a symbolic link (one planted
  there would send the write, or the removal, elsewhere), and the file
  itself must be a regular file or absent: the new bytes go to a temporary
  file beside it, renamed over it.
- ``write_named(path, data)``: the one file a user named (``-o OUT``). A
  character device or a pipe (``/dev/null``, ``/dev/stdout``, ``>(cmd)``)
  is written plainly, never renamed over, and a pipe without a reader is
  an error rather than a wait; a symbolic link, a socket or a block device
  is refused.
- ``replace_if_unchanged(path, expected, data)``: the user's own file
  (``fmt``), replaced only when it still holds the bytes it was read with.

Every refusal is an ``OSError`` naming the path, with a reason a user can
act on (``strerror``), so that callers print it like any other failed write.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class ChangedError(OSError):
    """The file changed since it was read: it was left as it is."""


def _refuse(path, reason: str, code: int = errno.EPERM) -> OSError:
    return OSError(code, reason, str(path))


def _named(exc: OSError, shown) -> OSError:
    """``exc`` naming the file as the user knows it (writes through folder
    descriptors name files relative to them)."""
    if exc.filename is not None and os.path.isabs(str(exc.filename)) and exc.filename2 is None:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(shown))


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a file"


def _check_replaceable(path, mode: int) -> None:
    """Only a regular file is renamed over."""
    if not stat.S_ISREG(mode):
        raise _refuse(path, f"it is {_kind(mode)}, not a regular file; copis writes no other kind")


def _replaceable(dir_fd: int, name: str, shown) -> os.stat_result | None:
    """What is at ``name`` in the folder ``dir_fd`` (not followed), None if
    nothing; raises when it is something copis does not replace."""
    try:
        found = os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    _check_replaceable(shown, found.st_mode)
    return found


def _write_temporary(dir_fd: int, name: str, data: bytes, mode: int, durable: bool) -> str:
    """A new file beside ``name`` in the folder ``dir_fd`` holding ``data``."""
    for _ in range(100):
        tmp = f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=dir_fd)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - a hundred collisions of 32 random bits
        raise FileExistsError(errno.EEXIST, "no free temporary name", name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), mode)
    except BaseException:
        os.unlink(tmp, dir_fd=dir_fd)
        raise
    return tmp


def _rename_in(dir_fd: int, name: str, data: bytes, mode: int, durable: bool, shown,
               expected: bytes | None = None) -> None:
    """Replace ``name`` in the folder ``dir_fd`` by a file holding ``data``;
    with ``expected``, only if it still holds those bytes."""
    tmp = _write_temporary(dir_fd, name, data, mode, durable)
    try:
        found = _replaceable(dir_fd, name, shown)
        if expected is not None:
            if found is None or _read_at(dir_fd, name) != expected:
                raise ChangedError(errno.EBUSY, "it changed since it was read; left as it is", str(shown))
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except FileNotFoundError:
            pass
        raise


def _read_at(dir_fd: int, name: str) -> bytes | None:
    """The bytes of the regular file ``name`` (None when it is something else)."""
    fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK, dir_fd=dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _open_folder(folder: Path, parts: tuple[str, ...], create: bool) -> int:
    """A descriptor of ``folder/parts...``, following no link below ``folder``
    (``folder`` itself, named by the user, may be one)."""
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | _DIRECTORY)
    here = folder
    try:
        for part in parts:
            here = here / part
            if create:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
            try:
                sub = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    mode = os.lstat(part, dir_fd=fd).st_mode
                    raise _refuse(here, f"it is {_kind(mode)}, not a folder; copis does not write "
                                        "through links or files it did not create") from None
                raise
            os.close(fd)
            fd = sub
    except BaseException:
        os.close(fd)
        raise
    return fd


def _split(relative) -> tuple[str, ...]:
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or any(p in ("..", ".") for p in parts):
        raise ValueError(f"not a path inside the folder: {relative}")
    return parts


def write_inside(folder: Path, relative, data: bytes, mode: int = 0o644) -> bool:
    """Write ``data`` to ``folder/relative`` unless it already holds exactly
    these bytes (so unchanged outputs keep their times); True when written.
    Folders are made as needed; no link below ``folder`` is followed and
    only a regular file is replaced."""
    *dirs, name = _split(relative)
    shown = Path(folder, relative)
    try:
        fd = _open_folder(Path(folder), tuple(dirs), create=True)
    except OSError as exc:
        raise _named(exc, shown) from None
    try:
        found = _replaceable(fd, name, shown)
        if found is not None:
            if found.st_size == len(data) and _read_at(fd, name) == data:
                return False
        _rename_in(fd, name, data, mode, False, shown)
        return True
    except OSError as exc:
        raise _named(exc, shown) from None
    finally:
        os.close(fd)


def remove_inside(folder: Path, relative) -> bool:
    """Remove the regular file ``folder/relative`` (no link below ``folder``
    followed); True when there was one."""
    *dirs, name = _split(relative)
    try:
        fd = _open_folder(Path(folder), tuple(dirs), create=False)
    except FileNotFoundError:
        return False
    try:
        try:
            found = os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            return False
        _check_replaceable(Path(folder, relative), found.st_mode)
        os.unlink(name, dir_fd=fd)
        return True
    finally:
        os.close(fd)


def is_stream(path) -> bool:
    """Whether writing to ``path`` is a plain write rather than a file's
    replacement: ``-``, a character device or a pipe (through links, as
    ``/dev/stdout`` is one)."""
    if str(path) == "-":
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def write_named(path, data: bytes) -> bool:
    """Write the one output a user named: a stream plainly (a pipe with no
    reader is an error, never a wait), a regular file replaced atomically
    when its content changes (True when written). A symbolic link to a
    regular file, a folder, a socket or a block device is refused."""
    path = Path(path)
    if is_stream(path):
        _write_stream(path, data)
        return True
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    if found is not None and not stat.S_ISREG(found.st_mode):
        if stat.S_ISLNK(found.st_mode):
            raise _refuse(path, "it is a symbolic link; copis does not write through links it did not "
                                "create (name its target, or remove the link)")
        _check_replaceable(path, found.st_mode)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    return write_inside(folder, path.name, data)


def _write_stream(path: Path, data: bytes) -> None:
    flags = os.O_WRONLY | _NONBLOCK
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a pipe nobody reads
            raise OSError(errno.ENXIO, "it is a named pipe that nobody is reading", str(path)) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISREG(mode)):
            _check_replaceable(path, mode)
        os.set_blocking(fd, True)  # opened without waiting for a reader; now write it all
        if stat.S_ISREG(mode):  # /dev/stdout redirected to a file
            os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def replace_if_unchanged(path, expected: bytes, data: bytes, mode: int | None = None) -> None:
    """Replace the user's file ``path`` (through a link, the file it points
    to) by ``data``, durably, if it still holds ``expected``; raises
    ``ChangedError`` otherwise (a save made meanwhile is never lost). The
    comparison is made after the new bytes are on disk, just before the
    rename, so the window for a lost save is a few microseconds."""
    target = Path(os.path.realpath(path))
    fd = os.open(target.parent, os.O_RDONLY | _DIRECTORY)
    try:
        if mode is None:
            mode = os.stat(target.name, dir_fd=fd).st_mode & 0o7777
        _rename_in(fd, target.name, data, mode, True, Path(path), expected=expected)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, mode: int = 0o644, *, durable: bool = False) -> None:
    """Replace ``path``'s content in one step: a temporary file beside it,
    renamed over it (through a symbolic link, the file it points to; only a
    regular file is replaced). For the program's own files (caches)."""
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.parent, os.O_RDONLY | _DIRECTORY)
    try:
        _rename_in(fd, target.name, data, mode, durable, Path(path))
    finally:
        os.close(fd)
