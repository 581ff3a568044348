"""Shell completion comes from click and knows pyinject's flags."""

from __future__ import annotations

from tests.conftest import run_process


def test_bash_completion_script_and_flag_completion() -> None:
    script = run_process(env={"_PYINJECT_COMPLETE": "bash_source"})
    assert script.returncode == 0 and "_pyinject_completion()" in script.stdout
    words = run_process(env={"_PYINJECT_COMPLETE": "bash_complete", "COMP_WORDS": "pyinject kube-inject --val",
                             "COMP_CWORD": "2"})
    assert "--valuesFile" in words.stdout
