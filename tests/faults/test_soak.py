"""The short soak (bench/soak.py): `chatroutes serve` in its own process, mixed load over several keys for
about 10 s, then every invariant checked. The long run (60 s) is part of `make bench`."""

from __future__ import annotations

import pytest

from bench.soak import OPS, soak

pytestmark = pytest.mark.integration


def test_a_short_soak_keeps_every_invariant() -> None:
    report = soak(seconds=10, workers=6, keys=3, seed=7)
    print("\n".join(report.lines()))
    assert report.violations == []
    assert set(report.ops) == set(OPS)  # every kind of operation ran
    assert not any(kind.split()[1].startswith("5") for kind in report.errors)
    assert report.log_lines > 0
