"""Reading a Jinja2 config's template files: only named ``.j2`` files, inside the folder, no symlinks.

Templates are data.  A config may name template files beside it; nothing else
on the machine is reachable from a template.  Every read, whether the config
loader's or a template's ``{% include %}`` / ``{% import %}``, goes through
:func:`read_template_file`, which refuses:

* absolute names and names with ``..``;
* names that do not end in ``.j2`` (a template file is a ``.j2`` file);
* any symlink on the way, the file itself included;
* anything that is not a regular file (devices, FIFOs, ``/proc`` entries);
* a real path outside the folder.
"""

from __future__ import annotations

import errno
import os
import stat

from pyinject.errors import ConfigError

TEMPLATE_FILE_SUFFIX = ".j2"


def check_template_name(ref: str) -> tuple[str, ...]:
    """The parts of ``ref`` as a relative path, or ConfigError saying why it cannot name a template file.

    The parts are a POSIX path's: empty and ``.`` components left out.
    """
    if "\\" in ref or "\0" in ref:
        raise ConfigError(f"{ref!r} is not a template file name")
    parts = tuple(part for part in ref.split("/") if part not in ("", "."))
    if ref.startswith("/") or ".." in parts or not parts:
        raise ConfigError(f"{ref!r} must be a file name inside the config's folder")
    if not ref.endswith(TEMPLATE_FILE_SUFFIX):
        raise ConfigError(f"{ref!r} is not a template file (template files end in {TEMPLATE_FILE_SUFFIX})")
    return parts


def read_template_file(folder: str, ref: str) -> str:
    """The text of template file ``ref`` inside ``folder``, after every check above."""
    parts = check_template_name(ref)
    try:
        real_base = os.path.realpath(folder or ".", strict=True)
    except OSError as err:
        raise ConfigError(f"cannot read {ref}: {err.strerror or err}") from err
    current = real_base
    for part in parts:
        current = os.path.join(current, part)
        try:
            info = os.lstat(current)
        except OSError as err:
            raise ConfigError(f"cannot read {ref}: {err.strerror or err}") from err
        if stat.S_ISLNK(info.st_mode):
            raise ConfigError(f"{ref} is reached through a symlink ({part}); template files must be real files "
                              "inside the config's folder")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{ref} is not a regular file")
    if os.path.commonpath([os.path.realpath(current), real_base]) != real_base:
        raise ConfigError(f"{ref} is outside the config's folder")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(current, flags)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ConfigError(f"{ref} is a symlink; template files must be real files") from err
        raise ConfigError(f"cannot read {ref}: {err.strerror or err}") from err
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ConfigError(f"{ref} is not a regular file")
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{ref} is not UTF-8 text") from err
