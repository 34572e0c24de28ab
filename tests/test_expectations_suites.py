"""The suite files themselves: well formed, code lists exist, indicators are real ids."""

from __future__ import annotations

import pytest

from expectations.derived import RULES
from expectations.suites import SEVERITIES, TABLES, code_list, code_list_names, load_suite
from warehouse.domain import catalogue, schema


def known_indicator_ids() -> set[str]:
    return set(catalogue.indicators())


def test_one_suite_per_staging_table():
    assert set(TABLES) == set(schema.tables())


@pytest.mark.parametrize("table", TABLES)
def test_suite_is_well_formed(table):
    suite = load_suite(table)
    staging_cols = {c.lower() for c in schema.table(table).columns}
    extra = {"extract_date", "la_code", "collection_year"}
    assert {e.severity for e in suite.expectations} <= set(SEVERITIES)
    structural = [e for e in suite.expectations if e.severity == "structural"]
    assert {"columns_present", "column_types"} <= {e.name for e in structural}
    present = suite.get("columns_present").kwargs["column_set"]
    assert set(present) == staging_cols
    assert set(suite.get("column_types").types) == staging_cols
    for exp in suite.expectations:
        assert exp.fix, f"{table}.{exp.name} needs a 'fix' for the error report"
        assert set(exp.required_columns()) <= staging_cols | extra, exp.name
        assert set(exp.report_columns) <= staging_cols, exp.name
        if exp.kind == "derived":
            assert exp.derived in RULES
        for value in exp.kwargs.values():
            if isinstance(value, dict) and "code_list" in value:
                assert value["code_list"] in code_list_names()


def test_indicator_mapping_uses_real_ids():
    ids = known_indicator_ids()
    assert len(ids) > 30
    for table in TABLES:
        for exp in load_suite(table).expectations:
            assert set(exp.indicators) <= ids, (table, exp.name, set(exp.indicators) - ids)


def test_code_lists_by_year():
    assert code_list("SEX", 2024) == ("1", "2")
    assert code_list("SEX", 2025) == ("M", "F", "U")
    assert "K3" in code_list("PLACE", 2025) and "K3" not in code_list("PLACE", 2024)
    assert "Z1" not in code_list("PLACE", 2026) and "Z11" in code_list("PLACE", 2027)
    assert "S1" not in code_list("ACCOM", 2025) and "X1" not in code_list("ACCOM", 2025)
    assert code_list("PLACE", 2020) == code_list("PLACE", 2023)
