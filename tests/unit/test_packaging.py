"""pyproject.toml lists every package by name (setuptools cannot find packages under
`adapters/`, which installs as `crosspost.adapters`): a package left out of the list would be
missing from a built wheel while every test in this tree still passes."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _packages_under(folder: Path, name: str) -> set[str]:
    found = set()
    for init in folder.rglob("__init__.py"):
        relative = init.parent.relative_to(folder)
        found.add(".".join((name, *relative.parts)))
    return found


def test_every_package_in_the_tree_is_listed_in_pyproject() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    assert setuptools["package-dir"] == {"crosspost": "crosspost", "crosspost.adapters": "adapters"}
    in_tree = _packages_under(ROOT / "crosspost", "crosspost") | _packages_under(
        ROOT / "adapters", "crosspost.adapters"
    )
    assert sorted(in_tree - listed) == [], "add these to [tool.setuptools] packages"
    assert sorted(listed - in_tree) == [], "these listed packages do not exist"
