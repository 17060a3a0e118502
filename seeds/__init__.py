"""The bundled seed documents (copied verbatim) and their manifest.json."""

from __future__ import annotations

import pathlib
from importlib import resources


def seed_dir() -> pathlib.Path:
    """The directory holding the seed documents, installed or in a checkout.

    `seeds` is a regular package installed as files (package-data), so its resource root is a
    real directory the parsers can open.
    """
    return pathlib.Path(str(resources.files(__name__)))
