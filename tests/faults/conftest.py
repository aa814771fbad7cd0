"""A small generated scenario shared by the fault tests (one regency, three days)."""

from __future__ import annotations

import pytest

from cakupan_dev.generate import generate_scenario


@pytest.fixture(scope="session")
def small_scenario(tmp_path_factory):
    return generate_scenario(
        tmp_path_factory.mktemp("faults"), regencies=("1612",), days=3, seed=5, scale=0.15
    )
