"""Pure logic never talks to AWS: the domain and the detector import no boto3 and no adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
PURE = sorted(
    [
        *(LAMBDAS / "segments" / "domain").glob("*.py"),
        *(LAMBDAS / "detector").glob("*.py"),
        LAMBDAS / "segments" / "ports.py",
        LAMBDAS / "segments" / "orchestration.py",
    ]
)
FORBIDDEN = ("boto3", "botocore", "segments.adapters", "segments.handlers", "aws_lambda_powertools")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(LAMBDAS)))
def test_pure_module_imports_nothing_of_aws(path: Path) -> None:
    bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN or m.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_scan_sees_the_modules() -> None:
    assert len(PURE) >= 10
    assert "boto3" in imported_modules(LAMBDAS / "segments" / "adapters" / "aws.py")
