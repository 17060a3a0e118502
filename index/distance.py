"""Edit distances between letter strings: typo correction (query path) and name linking.

Pure, standard library only, so the query layer takes them without the corpus code.
"""

from __future__ import annotations


def damerau(a: str, b: str, cap: int = 3) -> int:
    """Optimal-string-alignment distance: a swap of two letters is one edit (lidain → lidian).

    Returns `cap` + 1 as soon as the distance must exceed `cap`.

    >>> damerau("lidain", "lidian"), damerau("jiqirne", "jiqiren"), damerau("taoci", "taoic")
    (1, 1, 1)
    """
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]


def deletes(word: str) -> set[str]:
    """The word and every string one deletion away (symmetric-delete typo lookup).

    >>> sorted(deletes("abc"))
    ['ab', 'abc', 'ac', 'bc']
    """
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}
