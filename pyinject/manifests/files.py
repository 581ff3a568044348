"""Deliver output: to stdout, or to files the way the file system expects (atomically, through links, with roll back).

Regular files (for ``-o`` and ``--in-place``) are written to a staging
directory beside them and renamed over the target, so a reader sees the old
file or the new one, never half of each.  What this module promises:

- a symbolic link is followed: the file it points to is replaced, the link stays;
- devices and FIFOs (``/dev/null``, ``/dev/full``, a named pipe) are written
  directly, never replaced by a regular file;
- a replaced file keeps its permission bits, and its owner and group when
  pyinject runs as root; a new file gets the mode the umask gives (``0644``
  under the usual ``022``);
- a read-only file is refused unless ``force`` is set;
- a replaced file is a new file: other hard links to the old one keep the
  old content (as with ``sed -i``);
- all or nothing: when any rename fails, the files already replaced are put
  back from backups kept (as hard links, no copies) until every rename is
  done.  Only a kill or a power loss in the middle of that last step can
  leave some files new and some old.

Everything a run names on disk lives in one hidden directory per target
directory, ``.pyinject-<pid>-<random>.tmp``, removed when the run ends.  A run
that was killed leaves it behind (holding a ``.gitignore`` of ``*``, so
``git add -A`` does not pick it up); the next run that writes in that
directory removes it, once the process it is named after is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from types import TracebackType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

from pyinject.errors import Location, OutputError
from pyinject.model import RunResult
from pyinject.records import dataclass

#: Staging directories: ``.pyinject-<pid>-<random>.tmp``.
STAGING_PREFIX = ".pyinject-"
STAGING_SUFFIX = ".tmp"
#: (matched through re's cache: compiled only by runs that look at directories)
_STAGING_NAME = r"^\.pyinject-(\d+)-[A-Za-z0-9_]+\.tmp$"
#: Chunks in which output is copied (``shutil.copyfileobj``'s on Linux).
_COPY_CHUNK = 64 * 1024


def is_staging_dir(name: str) -> bool:
    """True for the name of a staging directory (directory walks skip them)."""
    return re.match(_STAGING_NAME, name) is not None


def deliver(result: RunResult, output: str | None, stdout: IO[str], *, force: bool = False) -> None:
    """Copy the finished output to stdout, or write it to the file ``output``."""
    if output is None or output == "-":
        try:
            _copy(result.output, stdout)
            stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as err:
            raise OutputError(f"cannot write to stdout: {err.strerror or err}") from err
        return
    write_output(output, result.output, force=force)


def _copy(source: IO[str], target: IO[str]) -> None:
    """``shutil.copyfileobj`` (the same chunks), without loading ``shutil`` for the common run."""
    while chunk := source.read(_COPY_CHUNK):
        target.write(chunk)


def write_output(target: str, content: IO[str], *, force: bool = False) -> None:
    """Write ``content`` to ``target``: atomically for a file, directly for a device or FIFO."""
    try:
        info: os.stat_result | None = os.stat(target)  # through links: /dev/stdout is one
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _cannot(target, err) from err
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise OutputError("is a directory", Location(file=target))
        _write_directly(target, content)
        return
    with Staging(force=force) as staging:
        staging.add(target, content)
        staging.commit()


def _write_directly(target: str, content: IO[str]) -> None:
    try:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            _copy(content, handle)
    except OSError as err:
        raise _cannot(target, err) from err


def _cannot(target: str, err: OSError) -> OutputError:
    return OutputError(f"cannot write: {err.strerror or err}", Location(file=target))


@dataclass
class _Staged:
    name: str  # as the user named it, for messages
    target: str  # the real path that is replaced
    tmp: str
    backup: str | None = None
    committed: bool = False


class Staging:
    """Files staged for replacement, committed together or not at all; a context manager."""

    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self._dirs: dict[str, str] = {}
        self._files: list[_Staged] = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.discard()

    def add(self, name: str, content: IO[str]) -> None:
        """Stage ``content`` to replace file ``name`` (followed through links); check it may be replaced."""
        target = os.path.realpath(name)
        try:
            info: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            info = None
        except OSError as err:
            raise _cannot(name, err) from err
        if info is not None and not self.force and _read_only(target, info):
            raise OutputError("is read-only; pass --force to replace it", Location(file=name))
        directory = self._staging_dir(name, os.path.dirname(target))
        tmp = os.path.join(directory, f"{len(self._files)}.new")
        staged = _Staged(name, target, tmp)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if info is None else 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                _copy(content, handle)
                handle.flush()
                os.fsync(handle.fileno())
            if info is not None:
                _copy_ownership(tmp, info)
        except OSError as err:
            raise _cannot(name, err) from err
        self._files.append(staged)

    def commit(self) -> list[str]:
        """Replace every target; on any failure put back those already replaced, then raise."""
        for index, staged in enumerate(self._files):
            try:
                if os.path.lexists(staged.target):
                    staged.backup = os.path.join(os.path.dirname(staged.tmp), f"{index}.old")
                    _keep_backup(staged.target, staged.backup)
                os.replace(staged.tmp, staged.target)
                staged.committed = True
            except OSError as err:
                failure = _cannot(staged.name, err)
                done = sum(1 for s in self._files if s.committed)
                restored = self._roll_back()
                if done:
                    left = sum(1 for s in self._files if s.committed)
                    failure.message += "; nothing was changed" if restored else f"; {left} files could not be put back"
                raise failure from err
        return [staged.name for staged in self._files]

    def _roll_back(self) -> bool:
        """Undo the renames done so far, newest first; True when every file is back."""
        whole = True
        for staged in reversed(self._files):
            if not staged.committed:
                continue
            try:
                if staged.backup is not None:
                    os.replace(staged.backup, staged.target)
                else:
                    os.unlink(staged.target)  # it did not exist before
                staged.committed = False
            except OSError:
                whole = False
        return whole

    def discard(self) -> None:
        """Remove the staging directories (staged files and backups with them)."""
        import shutil

        for directory in self._dirs.values():
            shutil.rmtree(directory, ignore_errors=True)
        self._dirs.clear()

    def _staging_dir(self, name: str, directory: str) -> str:
        known = self._dirs.get(directory)
        if known is not None:
            return known
        remove_stale_staging(directory)
        import tempfile

        try:
            made = tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", suffix=STAGING_SUFFIX, dir=directory)
            # Should a kill leave it behind, `git add -A` still sees nothing in it.
            with open(os.path.join(made, ".gitignore"), "w", encoding="utf-8") as ignore:
                ignore.write("*\n")
        except OSError as err:
            raise _cannot(name, err) from err
        self._dirs[directory] = made
        return made


def _read_only(path: str, info: os.stat_result) -> bool:
    """No write bit at all, or not writable by this user (root passes the second test)."""
    return not (info.st_mode & 0o222) or not os.access(path, os.W_OK)


def _copy_ownership(tmp: str, info: os.stat_result) -> None:
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    if os.geteuid() == 0:
        os.chown(tmp, info.st_uid, info.st_gid)
    elif info.st_gid != os.getegid():
        # A user may give a file any group they belong to; keep it when allowed.
        with contextlib.suppress(PermissionError):
            os.chown(tmp, -1, info.st_gid)


def _keep_backup(target: str, backup: str) -> None:
    """The current file under a second name until the commit is done: a hard link, or a copy."""
    try:
        os.link(target, backup)
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        import shutil

        shutil.copy2(target, backup)


def remove_stale_staging(directory: str) -> list[str]:
    """Remove staging directories in ``directory`` left by runs that were killed; return their paths.

    A directory is removed only when the process it is named after no longer exists.
    """
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = re.match(_STAGING_NAME, name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            import shutil

            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
