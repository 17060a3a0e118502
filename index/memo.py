"""What a small build made of its inputs, kept in the per-user data directory for the next one.

Rebuilding the bundled seeds (477 records) cost ~5 s of CPU, and most of it was the same
every time: loading jieba's dictionary (~1 s) and importing pypinyin's phrase tables (~0.9 s),
cutting and reading the same texts, aligning the OCR list and linking the older editions
(~0.9 s). A full build of fewer than `MAX_RECORDS` records (one process: the seeds and a few
small lists) now keeps, in ``<user data dir>/cache/build-memo.pickle``:

- the seed part of the corpus (`index.corpus.load.SeedPart`, pickled: `CorpusCache.seeds`);
- each text's jieba cut (`index.vocab.cut_words`) and pypinyin reading (`index.readings.Reader.read`);
- pypinyin's reading of every common character (`index.build.pinyin_readings`).

The next full build with the same key takes them from there, and loads jieba or pypinyin
only for a text it has not seen. The index is the same byte for byte either way (the memo
holds those functions' own answers; tests/test_memo.py builds both ways and compares).

The key is the code fingerprint (seeds, analysis data, the user's dictionaries, indexer
code: `index.ensure.code_fingerprint`) with the names, sizes and modification times of
jieba's and pypinyin's files, so a changed seed, data file, code or library starts afresh. A
missing, unreadable, truncated or damaged file (its SHA-256 is checked before it is
unpickled), one from another key or of an unexpected shape is no memo: the build computes
everything, as before. It is written atomically (a temporary file renamed over it), holding
only what the build that wrote it used, so it does not grow from one build to the next.
It is the user's own data, as trusted as the index's pickled files.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from index.workers import PARALLEL_MIN

MEMO_FILE = "build-memo.pickle"
MAX_RECORDS = PARALLEL_MIN  # builds this big fork workers (and would keep a big memo): none
_MAGIC = b"clsearch-build-memo 1\n"
# What the cuts and readings come from besides our own code and data: these files of jieba and
# pypinyin (a reinstall or another version changes their size or modification time).
_LIBRARIES = {"jieba": ("__init__.py", "dict.txt"),
              "pypinyin": ("__init__.py", "core.py", "converter.py", "constants.py", "pinyin_dict.py",
                           "phrases_dict.py", "seg/mmseg.py", "seg/simpleseg.py")}

Cut = tuple[tuple[str, ...], frozenset[int]]
Reading = list[tuple[str, ...]]


def memo_path() -> Path:
    """Where the memo lives: the per-user data directory's ``cache`` folder."""
    from index.store import user_data_dir

    return user_data_dir().absolute() / "cache" / MEMO_FILE


def library_signature() -> str:
    """Names, sizes and modification times of jieba's and pypinyin's files that decide a cut
    or a reading (`_LIBRARIES`): another version, or an edited dictionary, gives another one."""
    h = hashlib.sha256()
    for name, files in _LIBRARIES.items():
        spec = find_spec(name)
        roots = list(spec.submodule_search_locations or []) if spec is not None else []
        for file in files:
            try:
                st = (Path(roots[0]) / file).stat() if roots else None
            except OSError:
                st = None
            h.update(f"{name}/{file}:{st.st_size}:{st.st_mtime_ns}\n".encode() if st else f"{name}/{file}: -\n".encode())
    return h.hexdigest()[:16]


@dataclass
class BuildMemo:
    """The memo of one key (see the module doc). `used_*` note what this build asked for."""

    key: str
    seeds: bytes | None = None
    cuts: dict[str, Cut] = field(default_factory=dict)
    reads: dict[str, Reading] = field(default_factory=dict)
    pinyin: dict[str, str] | None = None
    used_cuts: dict[str, Cut] = field(default_factory=dict)
    used_reads: dict[str, Reading] = field(default_factory=dict)
    changed: bool = False  # something was computed that the file does not hold

    @classmethod
    def load(cls, key: str, path: Path | None = None) -> BuildMemo:
        """The memo kept for `key`, or an empty one (no file, another key, any damage)."""
        try:
            raw = (path or memo_path()).read_bytes()
            data = _unpacked(raw)
            if data is None or data.get("key") != key:
                return cls(key)
            seeds, cuts, reads, pinyin = data["seeds"], data["cuts"], data["reads"], data["pinyin"]
            if not (isinstance(seeds, (bytes, type(None))) and isinstance(cuts, dict)
                    and isinstance(reads, dict) and isinstance(pinyin, (dict, type(None)))):
                return cls(key)
            return cls(key, seeds=seeds, cuts=cuts, reads=reads, pinyin=pinyin)
        except Exception:  # unreadable, truncated, unpickles to nonsense: no memo
            return cls(key)

    def save(self, seeds: bytes | None, path: Path | None = None) -> None:
        """Keep what this build used (and `seeds`) for the next build, if anything is new.
        Best effort: a memo that cannot be written is only a slower next build."""
        if not self.changed and seeds == self.seeds and len(self.used_cuts) == len(self.cuts) \
                and len(self.used_reads) == len(self.reads):
            return
        path = path or memo_path()
        payload = zlib.compress(pickle.dumps(
            {"key": self.key, "seeds": seeds, "cuts": self.used_cuts, "reads": self.used_reads,
             "pinyin": self.pinyin}, protocol=pickle.HIGHEST_PROTOCOL), 1)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _sweep_leftovers(path)
            with open(tmp, "wb") as fp:
                fp.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except BaseException as exc:  # a signal mid-write too: no half-written file left behind
            try:
                tmp.unlink()
            except OSError:
                pass
            if not isinstance(exc, OSError):
                raise

    def cutter(self, compute: Callable[[str], Cut]) -> Callable[[str], Cut]:
        """`compute` (jieba's cut of a text), answered from the memo where it can be."""
        return self._answered(self.cuts, self.used_cuts, compute)

    def reader(self, compute: Callable[[str], Reading]) -> Callable[[str], Reading]:
        """`compute` (a text's readings), answered from the memo where it can be."""
        return self._answered(self.reads, self.used_reads, compute)

    def _answered(self, known: dict[str, Any], used: dict[str, Any],
                  compute: Callable[[str], Any]) -> Callable[[str], Any]:
        """`compute`, answered from `known` where it can be; what it answers is kept in `used`
        (the next memo holds only what this build used), and a new answer marks it changed."""

        def answer(text: str) -> Any:
            found = known.get(text)
            if found is None:
                found = compute(text)
                self.changed = True
            used[text] = found
            return found

        return answer

    def pinyin_readings(self, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
        """`compute()` (pypinyin's readings of the common characters), from the memo if kept."""
        if self.pinyin is None:
            self.pinyin = compute()
            self.changed = True
        return self.pinyin


def _unpacked(raw: bytes) -> dict[str, Any] | None:
    """The memo's dict from the file's bytes, or None if they are not a whole, intact memo."""
    head = len(_MAGIC)
    if not raw.startswith(_MAGIC) or len(raw) < head + 32:
        return None
    digest, payload = raw[head:head + 32], raw[head + 32:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    data = pickle.loads(zlib.decompress(payload))
    return data if isinstance(data, dict) else None


class Lazy:
    """A value made on first use (jieba's tokenizer, pypinyin's reader: only on a memo miss)."""

    def __init__(self, make: Callable[[], Any]):
        self._make = make
        self._value: Any = None

    def __call__(self) -> Any:
        if self._value is None:
            self._value = self._make()
        return self._value


def _sweep_leftovers(path: Path) -> None:
    """Remove ``.<memo name>.<pid>`` files of writers that no longer run (killed mid-write:
    SIGKILL, a power cut), so they do not pile up in the user's cache directory."""
    for leftover in path.parent.glob(f".{path.name}.*"):
        pid = leftover.name.rsplit(".", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid() or _running(int(pid)):
            continue
        try:
            leftover.unlink()
        except OSError:
            pass


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
