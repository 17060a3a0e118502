"""What the figures were measured on: a benchmark number means little without its machine."""

from __future__ import annotations

import datetime
import json
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


def _editable() -> bool:
    """Whether the installed clsearch, which the cold runs' `clsearch` script imports, is an
    editable one. The bench process itself imports the checkout it runs from, so where it
    found `search` says nothing about that (pip records an editable install in
    direct_url.json)."""
    import site

    found = list(metadata.distributions(name="clsearch", path=site.getsitepackages()))
    if not found:  # not installed: the cold runs use the checkout
        return True
    text = found[0].read_text("direct_url.json")
    try:
        return bool(json.loads(text or "{}").get("dir_info", {}).get("editable"))
    except (ValueError, AttributeError):
        return False


def install_caveat() -> str | None:
    """Why cold figures may be worse than a user's: an editable install without bytecode.

    With PYTHONDONTWRITEBYTECODE set, an editable checkout is compiled from source on every
    process start (~30 ms here); `pip install .` ships compiled bytecode.
    """
    if _editable() and sys.flags.dont_write_bytecode:
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
