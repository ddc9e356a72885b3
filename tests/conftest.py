"""Shared fixtures: project paths and loaded content."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (ROOT / "docs" / "fonte" / "faq-sesau-sei.txt").read_text(encoding="utf-8")
