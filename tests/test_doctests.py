"""The examples in the analysis module's docstrings are part of its specification."""

import doctest

import index.analysis


def test_analysis_docstring_examples_hold():
    result = doctest.testmod(index.analysis)
    assert result.attempted >= 9 and result.failed == 0


def test_related_docstring_examples_hold():
    import index.related

    result = doctest.testmod(index.related)
    assert result.attempted >= 3 and result.failed == 0
