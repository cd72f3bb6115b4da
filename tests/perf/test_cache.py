"""The cache of loaded files: hits only for the same content, options and version, and
nothing but entries boundary wrote is ever unpickled."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import pytest

import boundary
from boundary.load._cache import LoadCache

LOAD = sys.modules["boundary.load"]

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: "*"
"""


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files actually loaded (cache misses)."""
    seen: list[str] = []
    real = LOAD.load_file

    def counting(file: str, *args: object, **kwargs: object) -> object:
        seen.append(file)
        return real(file, *args, **kwargs)

    monkeypatch.setattr(LOAD, "load_file", counting)
    return seen


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "template.yaml"
    path.parent.mkdir()
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def test_an_unchanged_file_is_a_hit_with_the_same_model(
    template: Path, tmp_path: Path, calls: list[str]
) -> None:
    cache = tmp_path / "cache"
    first = boundary.load([str(template)], cache_dir=cache)
    second = boundary.load([str(template)], cache_dir=cache)
    assert calls == [str(template)]
    assert first == second
    assert first.templates


def test_a_content_change_invalidates(template: Path, tmp_path: Path, calls: list[str]) -> None:
    cache = tmp_path / "cache"
    boundary.load([str(template)], cache_dir=cache)
    template.write_text(TEMPLATE.replace("s3:GetObject", "s3:PutObject"), encoding="utf-8")
    model = boundary.load([str(template)], cache_dir=cache)
    assert len(calls) == 2
    assert "s3:PutObject" in repr(model.templates[0])


def test_an_option_change_invalidates(template: Path, tmp_path: Path, calls: list[str]) -> None:
    cache = tmp_path / "cache"
    boundary.load([str(template)], cache_dir=cache, region="us-east-1")
    model = boundary.load([str(template)], cache_dir=cache, region="eu-west-1")
    boundary.load([str(template)], cache_dir=cache, region="eu-west-1", parameters={"Stage": "prod"})
    assert len(calls) == 3
    assert "eu-west-1" in repr(model.templates[0])


def test_a_version_change_invalidates(
    template: Path, tmp_path: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    boundary.load([str(template)], cache_dir=cache)
    monkeypatch.setattr(boundary, "__version__", "99.0.0")
    boundary.load([str(template)], cache_dir=cache)
    assert len(calls) == 2


def test_an_included_definition_change_invalidates(tmp_path: Path, calls: list[str]) -> None:
    """A SAM API's DefinitionUri is part of what the template loads to."""
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "api.yaml").write_text("openapi: 3.0.1\npaths: {}\n", encoding="utf-8")
    (folder / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n"
        "    Properties:\n      StageName: prod\n      DefinitionUri: api.yaml\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    boundary.load([str(folder / "template.yaml")], cache_dir=cache)
    boundary.load([str(folder / "template.yaml")], cache_dir=cache)
    assert len(calls) == 1
    (folder / "api.yaml").write_text("openapi: 3.0.1\npaths:\n  /x: {}\n", encoding="utf-8")
    boundary.load([str(folder / "template.yaml")], cache_dir=cache)
    assert len(calls) == 2


def _entries(cache: Path) -> list[Path]:
    return [p for p in (cache / "entries").rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_a_truncated_entry_is_ignored_and_rewritten(template: Path, tmp_path: Path, calls: list[str]) -> None:
    cache = tmp_path / "cache"
    first = boundary.load([str(template)], cache_dir=cache)
    [entry] = _entries(cache)
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 2])
    assert boundary.load([str(template)], cache_dir=cache) == first
    assert entry.read_bytes() == whole
    assert len(calls) == 2


def test_a_planted_entry_is_never_unpickled(template: Path, tmp_path: Path, calls: list[str]) -> None:
    """Someone who can write an entry but not forge its HMAC cannot run code through it."""
    cache = tmp_path / "cache"
    first = boundary.load([str(template)], cache_dir=cache)
    [entry] = _entries(cache)
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str, ...]]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(((), Exploit()))
    entry.write_bytes(b"BNDC1\n" + b"\0" * 32 + payload)
    assert boundary.load([str(template)], cache_dir=cache) == first
    assert not marker.exists()
    assert len(calls) == 2


def test_a_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    if not hasattr(os, "getuid"):
        pytest.skip("POSIX permissions")
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    assert not LoadCache(folder).usable
    folder.chmod(0o700)
    assert LoadCache(folder).usable
    assert (folder / "secret").stat().st_mode & 0o077 == 0


def test_the_size_cap_drops_the_least_recently_used(tmp_path: Path) -> None:
    cache = LoadCache(tmp_path / "cache", max_bytes=4000)
    for n in range(10):
        key = f"{n:02d}" + "0" * 62
        cache.put(key, "x" * 1000, ())
        os.utime(cache._path(key), (n, n))
    cache.prune()
    kept = sorted(p.name[:2] for p in _entries(tmp_path / "cache"))
    assert kept and kept == [f"{n:02d}" for n in range(10 - len(kept), 10)]
    assert sum(p.stat().st_size for p in _entries(tmp_path / "cache")) <= 3200


def test_the_cli_cache_goes_to_the_named_folder_and_can_be_turned_off(template: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from boundary.cli import app

    runner = CliRunner()
    cache = tmp_path / "cli-cache"
    runner.invoke(app, ["scan", str(template), "--no-cache", "--cache-dir", str(cache), "--format", "json"])
    assert not cache.exists()
    runner.invoke(app, ["scan", str(template), "--cache-dir", str(cache), "--format", "json"])
    assert len(_entries(cache)) == 3  # the loaded file, its findings, and the scan's findings


def test_the_test_suite_never_writes_the_real_user_cache() -> None:
    assert "boundary-test-cache-" in str(LOAD.default_cache_dir())


# --- the findings of a whole scan -------------------------------------------------------

# A user rule's module may read anything (a file, the clock): its findings are never cached.
USER_RULE = '''
from boundary.graph import queries
from boundary.rules import Rule, Violation


class AnyRole(Rule):
    """
    ## What it does
    Reports every role.

    ## Why is this bad?
    It proves the rule ran.

    ## Example
    ```yaml
    A: {Type: AWS::IAM::Role}
    ```

    ## Use instead
    Nothing.

    ## References
    - https://example.com
    """

    def evaluate(self, ctx):
        for role in queries.nodes_of_kind(ctx.graph, "role"):
            yield Violation(node=role, message=f"role {ctx.label(role)} exists; expected none")
'''

USER_META = """
id = "ACME001"
name = "any-role"
title = "Any role"
severity = "low"
category = "over-grant"
decision = "warn"
description = "Reports every role."
remediation = "None."
practice = "example"
references = ["https://example.com"]
"""


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per graph the rules ran on (a findings-cache miss of a one-file scan): the
    built-in rules run on each file where it is loaded (`judge_alone`), others on the
    whole model in the scanner."""
    import boundary.rules._engine as engine
    import boundary.scanner

    scanner = sys.modules[boundary.scanner.__name__]  # the module, not the function `scan`
    seen: list[int] = []
    real = engine.evaluate

    def counting(*args: object, **kwargs: object) -> object:
        seen.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scanner, "evaluate", counting)
    monkeypatch.setattr(engine, "evaluate", counting)
    return seen


def test_an_unchanged_scan_takes_its_findings_from_the_cache(
    template: Path, tmp_path: Path, evaluations: list[int]
) -> None:
    cache = tmp_path / "cache"
    first = boundary.analyze([str(template)], cache_dir=cache)
    second = boundary.analyze([str(template)], cache_dir=cache)
    assert len(evaluations) == 1
    assert second == first
    assert first.findings


def test_findings_are_computed_again_after_a_content_or_configuration_change(
    template: Path, tmp_path: Path, evaluations: list[int]
) -> None:
    cache = tmp_path / "cache"
    first = boundary.analyze([str(template)], cache_dir=cache)
    assert "BND104" in {f.rule_id for f in first.findings}
    ignoring = boundary.analyze([str(template)], cache_dir=cache, config=boundary.Config(ignore=("BND104",)))
    assert len(evaluations) == 2
    assert "BND104" not in {f.rule_id for f in ignoring.findings}
    template.write_text(TEMPLATE.replace('Resource: "*"', "Resource: arn:aws:s3:::b/*"), encoding="utf-8")
    narrowed = boundary.analyze([str(template)], cache_dir=cache)
    assert len(evaluations) == 3
    assert "BND104" not in {f.rule_id for f in narrowed.findings}


def test_when_one_file_changes_only_that_file_is_judged_again(
    template: Path, tmp_path: Path, evaluations: list[int]
) -> None:
    """Each file's findings are kept per file, configuration and rules: a repository where
    one file changed loads and judges that file, and takes the others' from the cache."""
    for name in ("b", "c"):
        (template.parent / f"{name}.yaml").write_text(TEMPLATE.replace("Fn:", f"Fn{name}:"), encoding="utf-8")
    cache = tmp_path / "cache"
    first = boundary.analyze([str(template.parent)], cache_dir=cache)
    assert len(evaluations) == 3 and len(first.files) == 3
    template.write_text(TEMPLATE.replace('Resource: "*"', "Resource: arn:aws:s3:::b/*"), encoding="utf-8")
    changed = boundary.analyze([str(template.parent)], cache_dir=cache)
    assert len(evaluations) == 4  # the changed file only
    assert changed == boundary.analyze([str(template.parent)])  # as a scan without cache: judged again
    assert len(evaluations) == 7
    ignoring = boundary.analyze(
        [str(template.parent)], cache_dir=cache, config=boundary.Config(ignore=("BND104",))
    )
    assert len(evaluations) == 10  # another configuration: every file judged again
    assert "BND104" not in {f.rule_id for f in ignoring.findings}
    assert "BND104" in {f.rule_id for f in changed.findings}


def test_a_scan_with_user_rules_or_activity_is_not_served_from_the_cache(
    template: Path, tmp_path: Path, evaluations: list[int]
) -> None:
    from boundary.load.activity import load_activity

    cache = tmp_path / "cache"
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "any_role.py").write_text(USER_RULE, encoding="utf-8")
    (rules / "any_role.toml").write_text(USER_META, encoding="utf-8")
    for _ in range(2):
        found = boundary.analyze([str(template)], cache_dir=cache, rule_folders=[rules])
        assert "ACME001" in {f.rule_id for f in found.findings}
    assert len(evaluations) == 2
    trail = tmp_path / "activity.json"
    trail.write_text('{"Records": []}', encoding="utf-8")
    for _ in range(2):
        boundary.analyze([str(template)], cache_dir=cache, activity=load_activity([str(trail)]))
    assert len(evaluations) == 4


# ---------------------------------------------------------------- Terraform sources

SOURCES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform" / "sources"


@pytest.fixture
def configurations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders of `.tf` files actually scanned as configurations (cache misses)."""
    seen: list[str] = []
    real = LOAD._load_configuration

    def counting(folder: str, *args: object, **kwargs: object) -> object:
        seen.append(folder)
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(LOAD, "_load_configuration", counting)
    return seen


def _copy(name: str, into: Path) -> Path:
    import shutil

    return Path(shutil.copytree(SOURCES / name, into / name))


def test_a_plan_is_a_hit_until_a_tf_source_changes(tmp_path: Path, calls: list[str]) -> None:
    """A first-deploy plan's policies are rebuilt from main.tf: editing main.tf (or adding a
    .tf file beside it) must not give back the model of the old sources."""
    folder = _copy("first_deploy", tmp_path)
    plan, cache = str(folder / "plan.json"), tmp_path / "cache"
    first = boundary.load([plan], cache_dir=cache)
    assert boundary.load([plan], cache_dir=cache) == first
    assert calls == [plan]
    assert "dynamodb:*" in repr(first.templates[0].policies)
    main = folder / "main.tf"
    main.write_text(
        main.read_text(encoding="utf-8").replace("dynamodb:*", "dynamodb:GetItem"), encoding="utf-8"
    )
    edited = boundary.load([plan], cache_dir=cache)
    assert len(calls) == 2
    assert "dynamodb:*" not in repr(edited.templates[0].policies)
    assert "dynamodb:GetItem" in repr(edited.templates[0].policies)
    (folder / "extra.tf").write_text("locals {\n  x = 1\n}\n", encoding="utf-8")
    boundary.load([plan], cache_dir=cache)
    assert len(calls) == 3
    boundary.load([plan], cache_dir=cache)
    assert len(calls) == 3


def test_the_plan_s_sources_are_part_of_its_key(tmp_path: Path, calls: list[str]) -> None:
    """The same plan read with other sources (`--tf-dir`) or none is another entry."""
    folder = _copy("first_deploy", tmp_path)
    alone = tmp_path / "alone"
    alone.mkdir()
    plan, cache = str(folder / "plan.json"), tmp_path / "cache"
    with_sources = boundary.load([plan], cache_dir=cache)
    without = boundary.load([plan], cache_dir=cache, tf_dir=alone)
    assert len(calls) == 2
    assert with_sources.templates[0].sources and not without.templates[0].sources


def test_a_sources_only_folder_is_a_hit_until_it_or_a_module_changes(
    tmp_path: Path, configurations: list[str]
) -> None:
    folder = _copy("modules_for_each", tmp_path)
    (folder / "plan.json").unlink()  # the sources alone
    cache = tmp_path / "cache"
    first = boundary.load([str(folder)], cache_dir=cache)
    assert boundary.load([str(folder)], cache_dir=cache) == first
    # the root and its module folder (then dropped: the root calls it), once each
    assert sorted(configurations) == sorted([str(folder), str(folder / "modules" / "worker")])
    assert [t.path for t in first.templates] == [str(folder)]
    module = folder / "modules" / "worker" / "main.tf"
    module.write_text(
        module.read_text(encoding="utf-8").replace('["dynamodb:*"]', '["dynamodb:Scan"]'), encoding="utf-8"
    )
    edited = boundary.load([str(folder)], cache_dir=cache)
    assert len(configurations) == 4  # both again: the module's own entry and the root's read it
    assert "dynamodb:Scan" in repr(edited.templates[0].policies)
    assert "dynamodb:*" not in repr(edited.templates[0].policies)
