"""The sprig table names every function without loading a family (pyinject/sprig/table.py)."""

from __future__ import annotations

import importlib
import subprocess
import sys

from pyinject.gotemplate.functions import Deferred, LazyTable
from pyinject.sprig.table import FAMILIES, SPRIG_FUNCS


def test_each_family_lists_its_modules_table_in_order() -> None:
    for module, attribute, names in FAMILIES:
        table = getattr(importlib.import_module(module), attribute)
        assert tuple(table) == names, module


def test_no_name_is_in_two_families() -> None:
    every = [name for _, _, names in FAMILIES for name in names]
    assert len(every) == len(set(every))
    assert list(SPRIG_FUNCS) == every


def test_every_name_resolves_to_its_familys_function() -> None:
    for module, attribute, names in FAMILIES:
        table = getattr(importlib.import_module(module), attribute)
        fresh = LazyTable({name: Deferred(module, attribute) for name in names})
        for name in names:
            assert fresh[name] is table[name] is SPRIG_FUNCS[name]


def test_names_load_nothing_and_a_lookup_loads_one_family() -> None:
    code = ("import sys\n"
            "from pyinject.sprig.table import FAMILIES, SPRIG_FUNCS\n"
            "families = {module for module, _, _ in FAMILIES}\n"
            "assert 'semverCompare' in SPRIG_FUNCS and 'nope' not in SPRIG_FUNCS and len(list(SPRIG_FUNCS)) > 200\n"
            "print(sorted(families & set(sys.modules)))\n"
            "SPRIG_FUNCS['semverCompare']\n"
            "print(sorted(families & set(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "['pyinject.sprig.semver']"]
