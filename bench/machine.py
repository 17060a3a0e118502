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
