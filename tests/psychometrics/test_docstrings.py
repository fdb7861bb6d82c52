"""The Examples sections of the public docstrings run and are correct."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "hocvuso.psychometrics.ability",
    "hocvuso.psychometrics.calibration",
    "hocvuso.psychometrics.classical",
    "hocvuso.psychometrics.itemfit",
    "hocvuso.psychometrics.models",
    "hocvuso.psychometrics.scoring",
    "hocvuso.psychometrics.simulation",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    """Every docstring example of the module passes."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
