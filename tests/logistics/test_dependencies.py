"""pyproject.toml declares what the code imports; the production lock holds no test tools."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_CODE = ["logistics", "finance", "canteen", "assets", "safety"]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return (
        {_name(r) for r in project["dependencies"]},
        {_name(r) for r in project["optional-dependencies"]["dev"]},
    )


def _lock(filename: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / filename).read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def _imported_distributions() -> set[str]:
    local = {*PRODUCTION_CODE, "tests"}
    dists = packages_distributions()
    found: set[str] = set()
    for package in PRODUCTION_CODE:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names or top in local or top == "__future__":
                        continue
                    found.update(_name(d) for d in dists.get(top, [top]))
    return found


def test_every_distribution_the_code_imports_is_declared_in_pyproject():
    declared, _dev = _pyproject()
    # psycopg-binary is psycopg's optional C build, declared as psycopg[binary].
    missing = _imported_distributions() - declared - {"psycopg-binary"}
    assert not missing, f"imported but not in pyproject.toml dependencies: {sorted(missing)}"


def test_the_production_lock_pins_every_dependency_and_no_test_tool():
    declared, dev = _pyproject()
    production = _lock("requirements.lock")
    assert declared <= set(production), sorted(declared - set(production))
    assert not dev & set(production), sorted(dev & set(production))
    assert not {"pytest", "faker", "iniconfig", "pluggy"} & set(production)
    assert "gunicorn" in production  # the WSGI server docs/deployment.md names


def test_the_dev_lock_adds_the_test_tools_to_the_production_lock():
    _declared, dev = _pyproject()
    text = (ROOT / "requirements-dev.lock").read_text()
    assert "-r requirements.lock" in text.splitlines()
    assert dev <= set(_lock("requirements-dev.lock"))
