"""Bitsets of document numbers (search/bits.py): the set API the candidate and bound stages use."""

from search.bits import EMPTY, Bits, int_of, intersection, members, union


def test_a_bitset_holds_each_document_once_in_ascending_order():
    b = Bits.of([130, 5, 1, 5])
    assert list(b) == [1, 5, 130] and len(b) == 3 and b.v == (1 << 1) | (1 << 5) | (1 << 130)
    assert 130 in b and 5 in b and 2 not in b and 131 not in b and 10**6 not in b and -1 not in b
    assert "5" not in b


def test_set_algebra_matches_python_sets():
    a, b = {0, 3, 64, 65, 200}, {3, 65, 199, 200, 1000}
    assert list(Bits.of(a) & Bits.of(b)) == [3, 65, 200]
    assert list(Bits.of(a) | Bits.of(b)) == [0, 3, 64, 65, 199, 200, 1000]
    assert list(Bits.of(a) - Bits.of(b)) == [0, 64]
    # with plain sets on either side the answer is a bitset too
    assert isinstance(a & Bits.of(b), Bits) and list(a & Bits.of(b)) == [3, 65, 200]
    assert list(frozenset(a) - Bits.of(b)) == [0, 64]
    assert Bits.of(a) == a and Bits.of(a) != b and Bits.of(a).isdisjoint({1, 2}) and not Bits.of(a).isdisjoint(b)


def test_empty_and_many():
    assert not EMPTY and len(EMPTY) == 0 and list(EMPTY) == [] and int_of([]) == 0
    assert union([]) == EMPTY and intersection([]) == EMPTY
    assert list(union([{1}, Bits.of([2]), frozenset({3})])) == [1, 2, 3]
    assert list(intersection([{1, 2, 3}, Bits.of([2, 3]), [3, 9]])) == [3]
    every = set(range(0, 100_000, 7))
    assert list(members(int_of(every))) == sorted(every) and len(Bits.of(every)) == len(every)
