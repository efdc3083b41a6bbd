"""environment.yml (for conda users) lists the same packages as pyproject.toml, and
requirements.lock (what `make setup` installs) pins every one of them within its range."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# conda-forge names that differ from PyPI's.
CONDA_NAMES = {"kaleido": "python-kaleido"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_reqs = dict(_split(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"])
    expected = {CONDA_NAMES.get(n, n): spec for n, spec in pip_reqs.items()}

    conda = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = dict(_split(d) for d in conda["dependencies"] if isinstance(d, str) and not d.startswith("python>="))

    assert listed == expected


def _pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]


def _lock_entries() -> list[tuple[Requirement, list[str]]]:
    """requirements.lock's requirements, each with its --hash options (continuation lines joined)."""
    text = (ROOT / "requirements.lock").read_text().replace("\\\n", " ")
    entries = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        requirement, *options = re.split(r"\s+(?=--)", line)
        entries.append((Requirement(requirement), options))
    return entries


def test_lock_pins_every_package_exactly_with_hashes():
    entries = _lock_entries()
    assert entries
    for requirement, options in entries:
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{requirement} is not an exact pin"
        assert "*" not in specifiers[0].version, f"{requirement} is not an exact pin"
        assert any(o.startswith("--hash=sha256:") for o in options), f"{requirement.name} has no sha256 hash"
        assert all(o.startswith("--hash=") for o in options), f"{requirement.name}: {options}"


def test_lock_pins_every_pyproject_dependency_within_its_range():
    pinned: dict[str, list[tuple[Version, Requirement]]] = {}
    for requirement, _ in _lock_entries():
        (specifier,) = requirement.specifier
        pinned.setdefault(canonicalize_name(requirement.name), []).append((Version(specifier.version), requirement))

    for wanted in _pyproject_requirements():
        name = canonicalize_name(wanted.name)
        assert name in pinned, f"{wanted} is in pyproject.toml but not pinned in requirements.lock (run `make lock`)"
        for version, pin in pinned[name]:
            assert wanted.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {pin}, outside pyproject.toml's {wanted} (run `make lock`)"
            )
