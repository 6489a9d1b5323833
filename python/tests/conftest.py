"""Shared fixtures: paths of the repository, the shared data and the `mutinfo` binary."""

import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "datasets"


def _binary():
    env = os.environ.get("MUTINFO_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "mutinfo"
        if p.exists():
            return str(p)
    return shutil.which("mutinfo")


@pytest.fixture(scope="session")
def mutinfo_bin():
    b = _binary()
    if b is None:
        pytest.skip("the mutinfo binary is not built (cargo build -p mutinfo-cli, or set MUTINFO_BIN)")
    return b


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def shared():
    return SHARED
