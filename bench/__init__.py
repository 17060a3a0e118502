"""clsearch's benchmark: ``python -m bench`` prints how fast the engine is on this machine.

Figures, not tests: the numbers depend on the machine, so nothing here asserts a time or fails
on a slow run. Each figure is printed next to the goal it serves (build ≤ 10 s, a cold CLI query
≤ 1.5 × a bare Whoosh import, warm p95 ≤ 5 ms) so a regression is visible at a glance, and
``--json OUT`` keeps the same figures for comparing runs. The bench may import pypinyin (to make
pinyin queries from the corpus); the query path it measures must not.
"""
