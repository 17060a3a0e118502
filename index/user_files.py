"""The user's own dictionaries: synonyms, stop words and nicknames kept outside the package.

The bundled dictionaries live in index/data/ inside the installed package, where an edit would
be lost on the next reinstall (and may not be writable at all). A user extends them instead
with files of the same names and formats in the per-user *config* directory:

    Linux    $XDG_CONFIG_HOME/clsearch/   (default ~/.config/clsearch/)
    macOS    ~/Library/Application Support/clsearch/
    Windows  %APPDATA%\\clsearch\\
    any      $CLSEARCH_CONFIG=DIR overrides the above

or with ``clsearch index build --synonyms FILE`` for one index. The user's lines are read after
the bundled ones and add to them; nothing is replaced. Every file found here is part of the
index fingerprint, so editing one rebuilds the default index on the next search.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["CONFIG_ENV", "USER_FILES", "config_dir", "user_file", "user_files"]

CONFIG_ENV = "CLSEARCH_CONFIG"
# The bundled files a user may extend, by file name (same name, same format as in index/data/).
USER_FILES = ("synonyms.txt", "stopwords.txt", "nicknames.tsv")


def config_dir() -> Path:
    """The per-user config directory of clsearch (see the module docstring)."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "clsearch"


def user_file(name: str) -> Path | None:
    """The user's copy of the dictionary `name` (one of `USER_FILES`), if there is one."""
    path = config_dir() / name
    return path if name in USER_FILES and path.is_file() else None


def user_files() -> list[Path]:
    """The user's dictionary files that exist now (part of the index fingerprint)."""
    return [p for p in map(user_file, USER_FILES) if p is not None]
