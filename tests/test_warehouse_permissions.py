"""The warehouse file holds every child's record: it, its write-ahead log and its folder are
owner-only, like the restricted error lists (issue 12, item 16)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import duckdb
import pytest

from assets.resources import WarehouseResource


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def shared_umask():
    """The usual umask of a shared server, whatever the test runner's."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_warehouse_is_created_owner_only(tmp_path, shared_umask):
    path = tmp_path / "data" / "warehouse.duckdb"
    resource = WarehouseResource(database=str(path))
    with resource.get_connection() as conn:
        conn.execute("CREATE TABLE t AS SELECT range AS i FROM range(10)")
        conn.execute("INSERT INTO t SELECT range FROM range(10)")
        wal = path.with_name(path.name + ".wal")
        assert wal.exists()
        # DuckDB recreates the WAL at every checkpoint with the process umask: the owner-only
        # folder is what keeps it (and any spill file) from other accounts
        assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert os.umask(0o022) == 0o022  # the process umask is left as it was


def test_an_existing_warehouse_and_its_folder_are_made_owner_only(tmp_path, shared_umask):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    path = folder / "warehouse.duckdb"
    # a warehouse written by an earlier version, killed with its WAL still there
    script = ("import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); "
              "c.execute('CREATE TABLE t AS SELECT 1 AS i'); "
              "c.execute('INSERT INTO t VALUES (2)'); os._exit(0)")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    wal = path.with_name(path.name + ".wal")
    assert wal.exists() and _mode(wal) == 0o644 and _mode(path) == 0o644

    with WarehouseResource(database=str(path)).get_connection() as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)
        if wal.exists():
            assert _mode(wal) == 0o600
    assert _mode(path) == 0o600
    assert _mode(folder) == 0o700


def test_a_failed_step_closes_its_connection(tmp_path):
    """A step that fails (a refused removal) must not keep the warehouse open in the run's
    process: a reader, or the next run in the same process, could not open it."""
    path = tmp_path / "data" / "warehouse.duckdb"
    resource = WarehouseResource(database=str(path))
    with pytest.raises(RuntimeError, match="refused"), resource.get_connection() as conn:
        conn.execute("CREATE TABLE t AS SELECT 1 AS i")
        raise RuntimeError("refused")
    with duckdb.connect(str(path), read_only=True) as reader:
        assert reader.execute("SELECT count(*) FROM t").fetchone() == (1,)
