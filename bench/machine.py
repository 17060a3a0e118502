"""What the figures were measured on: a benchmark number means little without its machine."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from importlib import metadata


def _distribution_of(module: str) -> str:
    """'Whoosh-Reloaded 2.7.5' for 'whoosh': forks share the import name, so say which one."""
    try:
        names = metadata.packages_distributions().get(module, [])
        return ", ".join(f"{n} {metadata.version(n)}" for n in dict.fromkeys(names)) or "not installed"
    except Exception:  # noqa: BLE001 -- odd installs must not stop the bench
        return "unknown"


def install_caveat() -> str | None:
    """Why cold figures may be worse than a user's: an editable install without bytecode.

    With PYTHONDONTWRITEBYTECODE set, an editable checkout is compiled from source on every
    process start (~30 ms here); `pip install .` ships compiled bytecode.
    """
    import search

    editable = "site-packages" not in (search.__file__ or "")
    if editable and sys.flags.dont_write_bytecode:
        return ("editable install and PYTHONDONTWRITEBYTECODE: every cold run compiles the "
                "project from source; measure a `pip install .` venv for users' figures")
    return None


def describe() -> dict[str, str | int | None]:
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "executable": sys.executable,
        "cpus": os.cpu_count(),
        "clsearch": _distribution_of("search"),
        "whoosh": _distribution_of("whoosh"),
    }
