"""The thumbnail library is pure: no AWS SDK, adapter or handler import."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_layering import FORBIDDEN, LAMBDAS, imported_modules

MODULES = sorted((LAMBDAS / "thumbnails").glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_thumbnail_module_imports_nothing_of_aws(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_scan_sees_the_thumbnail_modules() -> None:
    assert {p.name for p in MODULES} >= {"plan.py", "extract.py", "step.py"}
