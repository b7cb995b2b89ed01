"""Files written whole or not at all, and output paths checked before any work."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


class NotWritable(PermissionError):
    """A path derive cannot write (an output directory, a read-only
    _generated.py): one line naming the path and why."""


def write_atomic(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are for reading
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _probe(directory: Path, path: Path):
    """Create and remove a file in an existing directory: the only test that
    holds for root (os.access says yes), read-only mounts and /proc."""
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".derive-probe.")
    except OSError as err:
        raise NotWritable(f"{path}: cannot create files in {directory} ({err.strerror or err})") from None
    os.close(fd)
    os.unlink(tmp)


def check_writable_dir(path: Path):
    """Raise NotWritable unless `path` is, or can be made, a directory we can
    write in.  Creates nothing (the probe file is removed)."""
    path = Path(path)
    if str(path) in ("", "."):
        path = Path(".")
    probe = path
    while not probe.exists():
        if probe.is_symlink():
            raise NotWritable(f"{path}: {probe} is a broken symbolic link")
        if probe.parent == probe:
            raise NotWritable(f"{path}: no existing directory above it")
        probe = probe.parent
    if not probe.is_dir():
        where = "exists and" if probe == path else f"{probe} exists and"
        raise NotWritable(f"{path}: {where} is not a directory")
    _probe(probe, path)


def check_writable_file(path: Path):
    """Raise NotWritable unless a file can be written at `path` (its directory exists)."""
    path = Path(path)
    if path.is_dir():
        raise NotWritable(f"{path}: is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise NotWritable(f"{path}: directory {parent} does not exist")
    _probe(parent, path)
