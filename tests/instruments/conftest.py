"""Fixtures for the instrument engine tests: small fixture instruments, never the real content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sabidamu.instruments import Instrument, InstrumentRegistry, load_registry
from sabidamu.instruments.validation import StrictLoader

FIXTURES = Path(__file__).parent / "fixtures"
DEV_FILE = FIXTURES / "test-dev-screen.v1.yaml"
SC_FILE = FIXTURES / "test-social-communication.v1.yaml"


@pytest.fixture(scope="session")
def registry() -> InstrumentRegistry:
    return load_registry(FIXTURES)


@pytest.fixture(scope="session")
def dev(registry: InstrumentRegistry) -> Instrument:
    return registry.get("test-dev-screen")


@pytest.fixture(scope="session")
def sc(registry: InstrumentRegistry) -> Instrument:
    return registry.get("test-social-communication")


@pytest.fixture
def dev_data() -> dict:
    """A fresh, mutable copy of the dev fixture document."""
    return yaml.load(DEV_FILE.read_text(encoding="utf-8"), Loader=StrictLoader)


@pytest.fixture
def sc_data() -> dict:
    return yaml.load(SC_FILE.read_text(encoding="utf-8"), Loader=StrictLoader)


@pytest.fixture
def instruments_copy(tmp_path: Path) -> Path:
    """A writable instruments directory holding copies of both fixtures."""
    for source in (DEV_FILE, SC_FILE):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path
