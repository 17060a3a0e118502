"""The examples in the analysis modules' docstrings are part of their specification."""

import doctest

import pytest

import index.analysis
import index.distance
import index.corpus.related
import index.format
import search.filters
import search.output
import search.understand


@pytest.mark.parametrize("module, examples", [(index.analysis, 8), (index.distance, 2), (index.format, 1),
                                              (index.corpus.related, 3), (search.output, 6),
                                              (search.filters, 4),
                                              (search.understand, 4)])
def test_docstring_examples_hold(module, examples):
    result = doctest.testmod(module)
    assert result.attempted >= examples and result.failed == 0
