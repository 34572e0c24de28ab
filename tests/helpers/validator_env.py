"""The DfE 903 validator's own virtual environment, shared by the tests that use it.

csc-validator-be-903 pins pandas<2 and numpy<1.25, so it cannot live in the project's
environment: it gets a Python 3.11 venv at <repo>/.venv-validator (git-ignored), built once and
reused. CSC_VALIDATOR_PYTHON may point at an interpreter that already has it installed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
VENV = PROJECT / ".venv-validator"
# The release these tests were written against (its rule list and known defects are in
# spec/ssda903.md).
REQUIREMENT = "csc-validator-be-903==0.1.17"
RUNNER = Path(__file__).resolve().parents[1] / "validator" / "run_validator.py"


class ValidatorUnavailable(RuntimeError):
    """No Python 3.11, or the package could not be installed (e.g. offline)."""


def _has_validator(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import lac_validator"], capture_output=True, timeout=120
    )
    return probe.returncode == 0


def _digest(path: Path) -> str:
    return hashlib.sha256(str(path).encode()).hexdigest()[:12]


def validator_python() -> Path:
    """The interpreter of the validator's venv, building the venv on first use."""
    override = os.environ.get("CSC_VALIDATOR_PYTHON")
    if override:
        if not _has_validator(Path(override)):
            raise ValidatorUnavailable(f"CSC_VALIDATOR_PYTHON={override} cannot import it")
        return Path(override)
    python = VENV / "bin" / "python"
    if _has_validator(python):
        return python
    base = shutil.which("python3.11")
    if base is None:
        raise ValidatorUnavailable("python3.11 is not on PATH")
    # the lock lives outside the work tree (nothing to git-ignore)
    lock_path = Path(tempfile.gettempdir()) / f"csc-venv-validator-{_digest(VENV)}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time (pytest-xdist, two sessions)
        if _has_validator(python):
            return python
        shutil.rmtree(VENV, ignore_errors=True)
        steps = [
            [base, "-m", "venv", str(VENV)],
            [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            [str(python), "-m", "pip", "install", "--quiet", REQUIREMENT],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900)
            if done.returncode != 0:
                raise ValidatorUnavailable(f"{' '.join(step[:4])} failed: {done.stderr[-2000:]}")
    return python


def run_validator(folder: Path, collection_year: str, la_code: str) -> dict:
    """Run tests/validator/run_validator.py on an extract folder; returns its RESULT JSON
    ({"errors": {rule: rows flagged}, "tables": {...}} and, where it reports them,
    per-rule row indices)."""
    python = validator_python()
    done = subprocess.run(
        [str(python), str(RUNNER), str(folder), collection_year, la_code],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"validator failed: {done.stderr[-3000:]}")
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("RESULT="))
    return json.loads(line[len("RESULT=") :])
