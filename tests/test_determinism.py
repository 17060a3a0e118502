"""A build writes the same tables whatever the process's hash seed: nothing that reaches the
index may depend on the iteration order of a set or of a dict filled from one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from index.store import current_generation

TABLES = ("lexicon.json", "typos.tsv", "complete.json", "values.json", "records.zjsonl", "links.zjsonl", "charmap.json",
          "ties.bin", "lexstate.json")
SEGMENT_PARTS = (".pst", ".trm", ".id.col", ".order.col", ".tie.col", ".doc.col")

BUILD = "import sys; from pathlib import Path; from index.ensure import build_from_seeds; " \
        "build_from_seeds(Path(sys.argv[1]))"


def build_with_hash_seed(seed: str, to: Path, data_home: Path | None = None) -> Path:
    """A build in a process with this hash seed, with a per-user data directory of its own
    (`data_home`: one shared with another build, so that its build memo is used)."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "XDG_DATA_HOME": str(data_home or to.with_name(to.name + "-data"))}
    subprocess.run([sys.executable, "-c", BUILD, str(to)], env=env, check=True, capture_output=True)
    return current_generation(to)


def segment_bytes(gen: Path) -> dict[str, bytes]:
    """Whoosh names segments at random: compare each part by its suffix."""
    out = {}
    for path in gen.glob("MAIN_*"):
        for part in SEGMENT_PARTS:
            if path.name.endswith(part):
                out[part] = path.read_bytes()
    return out


def test_two_hash_seeds_build_the_same_index(tmp_path):
    one = build_with_hash_seed("1", tmp_path / "one")
    two = build_with_hash_seed("2", tmp_path / "two")
    for name in TABLES:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    parts = segment_bytes(one)
    assert sorted(parts) == sorted(SEGMENT_PARTS)
    assert parts == segment_bytes(two)
    # A rebuild that takes the first one's corpus, cuts and readings from its memo (`index.memo`).
    three = build_with_hash_seed("3", tmp_path / "three", data_home=tmp_path / "one-data")
    for name in TABLES:
        assert (one / name).read_bytes() == (three / name).read_bytes(), name
    assert segment_bytes(three) == parts
