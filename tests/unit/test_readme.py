"""The README's promises that CI and users rely on."""

from __future__ import annotations

import re

from tests.conftest import REPO


def test_readme_has_the_two_setup_commands_ci_uses() -> None:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    assert any("pyinject kube-inject -f examples/bookinfo/bookinfo.yaml" in b and "pip install ." in b for b in blocks)
    marker = readme.index("<!-- ci:test -->")
    test_block = re.search(r"```sh\n(.*?)\n```", readme[marker:], re.S)
    assert test_block and "'.[test]'" in test_block.group(1) and "pytest" in test_block.group(1)
    assert "<!-- ci:test -->" in (REPO / ".ci" / "run").read_text()


def test_changelog_follows_keep_a_changelog() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog and "### Added" in changelog
