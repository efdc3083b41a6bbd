"""environment.yml (for conda users) lists the same packages as pyproject.toml."""

import re
import tomllib
from pathlib import Path

import yaml

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
