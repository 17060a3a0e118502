"""The corpus stage: every source document read into `index.records.Record`s.

One module per job: `manifest` (what each seed document is), `blocks` (lines and tables of a
text), a `parse_*` module per layout (a new list format gets its own), `places` (provinces,
cities, districts), `names`, `link` and `ocr_align` (the same designation in several lists),
`merge` (entries → records), `tables` (CSV / JSON lines from users), `export` (records out),
and `load` (all of it in order: `load_corpus`).
"""

from index.corpus.entries import Problem
from index.corpus.load import LAYOUTS, Corpus, load_corpus

__all__ = ["Corpus", "Problem", "load_corpus", "LAYOUTS"]
