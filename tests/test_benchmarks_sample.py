"""Parity on the bundled sample: the warehouse's own 31 March figures beside the DfE's published
Kirklees figures. The sample is synthetic, so they differ; this proves the comparison."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

pytestmark = pytest.mark.sample


def test_parity_arithmetic_on_the_sample(sample_build):
    with duckdb.connect(str(sample_build.warehouse_path), read_only=True) as conn:
        rows = conn.execute(
            "SELECT indicator_id, period_end, warehouse_value, published_value, difference, "
            "differs FROM marts.indicator_parity WHERE la_code = 'E08000034'").fetchall()
        own = {(i, d): v for i, d, v in conn.execute(
            "SELECT indicator_id, period_end, value FROM marts.indicator_values "
            "WHERE la_code = 'E08000034' AND breakdown = 'all'").fetchall()}
        published = {(i, d): v for i, d, v in conn.execute(
            "SELECT indicator_id, period_end, value FROM marts.indicator_comparators "
            "WHERE geography_level = 'la' AND geography_code = 'E08000034'").fetchall()}
        bench = conn.execute(
            "SELECT la_name, comparator_period_end, england_value, region_value, "
            "statistical_neighbours_value, published_value FROM marts.indicator_benchmarks "
            "WHERE la_code = 'E08000034' AND indicator_id = 'cla_rate_per_10k'").fetchall()
    # every 31 March the sample and the DfE both cover (annual returns 2021-2025), per indicator
    assert {(i, d) for i, d, *_ in rows} == set(own) & set(published)
    assert len({d for _, d, *_ in rows}) == 5
    for ind, d, mine, theirs, difference, differs in rows:
        assert mine == own[ind, d] and theirs == published[ind, d]
        if mine is None or theirs is None:
            assert difference is None and differs is None
        else:
            assert difference == pytest.approx(mine - theirs)
            assert differs == (abs(mine - theirs) > 0.5)
    rate = {d: r for i, d, *r in rows if i == "cla_rate_per_10k"}
    assert rate[date(2025, 3, 31)][1] == 64  # published Kirklees, beside the warehouse's own
    assert any(r[3] for r in rows) and not all(r[3] for r in rows if r[3] is not None)
    assert bench == [("Kirklees", date(2025, 3, 31), 67, 77, 91, 64)]
