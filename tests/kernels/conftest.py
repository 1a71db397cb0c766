"""Fixtures every kernel test file shares: each kernel path (ISA) and thread count."""

import pytest

from kerasette.backend import core

ISAS = core.cpu_features()["supported_isas"]


@pytest.fixture(params=ISAS)
def isa(request):
    """Forces kerasette's kernels onto one supported ISA for the test, then restores."""
    before = core.cpu_features()["isa"]
    core.set_isa(request.param)
    yield request.param
    core.set_isa(before)


@pytest.fixture(params=[1, 2])
def threads(request):
    before = core.get_num_threads()
    core.set_num_threads(request.param)
    yield request.param
    core.set_num_threads(before)
