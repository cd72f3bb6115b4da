"""From boundary's findings for one file to what a Checkov resource check answers.

Checkov asks one question per (check, resource): does this resource pass? A
boundary finding names the resource it is on (for SAM, possibly a resource the
translator generated) and the line at fault. `analysis(path)` runs boundary's
whole pipeline on the file once, keyed by path and content, and groups the
findings by (rule id, resource as the user wrote it): a finding on the
generated `BookingFunctionRole` is grouped under `BookingFunction`, the SAM
resource that asked for it, with the finding's own line.

Whole-graph rules (shared roles, over-grants, endpoints) need the whole file's
graph, never one resource: that is why the file, not the resource, is the unit
of analysis, and why the checks only look their answer up.
"""

from __future__ import annotations

import bisect
import hashlib
import inspect
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import boundary
from boundary.config import ConfigError
from boundary.rules import registry

__all__ = [
    "CHECK_PREFIX",
    "FileAnalysis",
    "Placed",
    "analysis",
    "check_id",
    "checks_dir",
    "clear_cache",
    "locate",
    "rule_id",
]

#: Checkov ids are `CKV_<SOURCE>_<NUMBER>`; boundary's `BND101` is `CKV_BND_101`.
CHECK_PREFIX = "CKV_"

_LOG = logging.getLogger("boundary.checkov")


def checks_dir() -> Path:
    """The folder to give Checkov's `--external-checks-dir`."""
    return Path(__file__).resolve().parent / "checks"


def check_id(rule: str) -> str:
    """`BND101` -> `CKV_BND_101`: letters, then digits, joined as Checkov spells its ids."""
    letters = rule.rstrip("0123456789")
    return f"{CHECK_PREFIX}{letters}_{rule[len(letters) :]}"


def rule_id(check: str) -> str | None:
    """`CKV_BND_101` -> `BND101`; None for an id that is not one of ours in that shape."""
    if not check.startswith(CHECK_PREFIX):
        return None
    parts = check[len(CHECK_PREFIX) :].split("_")
    if len(parts) != 2 or not parts[0].isalpha() or not parts[1].isdigit():
        return None
    return parts[0] + parts[1]


@dataclass(frozen=True, slots=True)
class Placed:
    """One finding, placed on the resource the user wrote."""

    rule_id: str
    resource: str
    line: int
    message: str
    severity: str
    suppressed: str | None = None  # the reason, when boundary itself suppressed it

    def detail(self) -> str:
        """The line Checkov shows under the check: where, then what (expected versus actual)."""
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class FileAnalysis:
    """boundary's verdict on one file, by (rule id, resource as the user wrote it)."""

    path: str
    findings: Mapping[tuple[str, str], tuple[Placed, ...]] = field(default_factory=dict)
    # findings on something that is not a resource (a parameter's default, an output):
    # Checkov has no entity to report them on
    unplaced: tuple[boundary.Finding, ...] = ()
    errors: tuple[str, ...] = ()

    def on(self, rule: str, resource: str) -> tuple[Placed, ...]:
        return self.findings.get((rule, resource), ())


_CACHE: dict[tuple[str, str], FileAnalysis] = {}
_DIGESTS: dict[tuple[str, int, int], str] = {}
_LOCK = threading.Lock()
_WARNED: set[str] = set()


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
        _DIGESTS.clear()


def _terraform_files(path: str) -> list[str] | None:
    """The `.tf` files of the configuration a `.tf` file or a folder of them belongs to
    (its own folder, not the folders below it); None for anything else."""
    folder = path if os.path.isdir(path) else os.path.dirname(path) if path.endswith(".tf") else None
    if folder is None:
        return None
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".tf"))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]


def _digest(path: str) -> str | None:
    configuration = _terraform_files(path)
    if configuration is not None:  # a configuration: every `.tf` file of its folder
        if not configuration:
            return None
        combined = hashlib.sha256()
        for file in configuration:
            part = _file_digest(file)
            if part is None:
                return None
            combined.update(f"{os.path.basename(file)}\0{part}\0".encode())
        return combined.hexdigest()
    return _file_digest(path)


def _file_digest(path: str) -> str | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    digest = _DIGESTS.get(key)
    if digest is None:
        try:
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            return None
        _DIGESTS[key] = digest
    return digest


def analysis(path: str | os.PathLike[str]) -> FileAnalysis:
    """boundary's findings for one file, computed once per path and content. A `.tf`
    file, or a folder of them, stands for the Terraform configuration of its folder,
    scanned without a plan (the folders below it are other configurations)."""
    absolute = os.path.abspath(path)
    configuration = _terraform_files(absolute)
    if configuration:
        absolute = os.path.dirname(configuration[0])
    digest = _digest(absolute)
    if digest is None:
        return FileAnalysis(path=absolute, errors=(f"{absolute}: cannot be read",))
    key = (absolute, digest)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _analyse(absolute)
            _CACHE[key] = cached
    return cached


def _analyse(path: str) -> FileAnalysis:
    try:
        config = boundary.load_config(start=Path(path) if os.path.isdir(path) else Path(path).parent)
    except ConfigError as error:  # one line, as `boundary scan` gives it; no verdict for this file
        return _failed(path, (str(error),))
    configuration = _terraform_files(path)
    # a named `.tf` file is its folder's configuration, without the folders below it
    result = boundary.analyze([configuration[0] if configuration else path], config=config)
    errors = tuple(str(error) for error in result.errors)
    if errors:
        return _failed(path, errors)
    # what each resource id stands for in the user's source: itself, or the SAM resource it came from
    written = {r.id: r.origin or r.id for t in result.templates for r in t.resources.values()}
    where = _blocks(result.templates)
    checked = _checked_types()
    grouped: dict[tuple[str, str], list[Placed]] = {}
    unplaced: list[boundary.Finding] = []
    for lead in result.findings:
        # Checkov runs, skips and selects each check on its own (`--check CKV_BND_103`,
        # `--skip-check CKV_BND_105`): a finding merged into another rule's (one statement,
        # one family, `Finding.merged`) is reported under its own check too, or selecting
        # its check would pass it silently and skipping the lead's would hide it.
        for finding in (lead, *lead.merged):
            resource = written.get(finding.resource)
            if resource is None:
                unplaced.append(finding)
                continue
            holder = _block_at(where, finding.location.line)
            if holder is not None and holder.id != resource:
                if holder.sam:
                    # generated by SAM: where the user wrote it (an implicit API's open
                    # route is in the function that declares it)
                    if resource != finding.resource:
                        resource = holder.id
                elif holder.type in checked.get(finding.rule_id, ()):
                    # a role's grant written in a policy resource of its own: Checkov shows
                    # the block to fix (the policy), not the role's trust policy
                    resource = holder.id
            placed = Placed(
                rule_id=finding.rule_id,
                resource=resource,
                line=finding.location.line,
                message=finding.message,
                severity=finding.severity.value,
                suppressed=finding.suppression.reason if finding.suppression else None,
            )
            grouped.setdefault((finding.rule_id, resource), []).append(placed)
    findings = {
        key: tuple(sorted(set(values), key=lambda p: (p.line, p.message))) for key, values in grouped.items()
    }
    return FileAnalysis(path=path, findings=findings, unplaced=tuple(unplaced))


@dataclass(frozen=True, order=True)
class _Block:
    """A resource block of a CloudFormation or SAM source: where it starts, its logical
    id, its type as written, and whether SAM generated other resources from it."""

    line: int
    id: str
    type: str = ""
    sam: bool = False
    resource: bool = True  # False: a top-level section that ends the resources before it


_SECTIONS = (
    "AWSTemplateFormatVersion",
    "Conditions",
    "Description",
    "Globals",
    "Mappings",
    "Metadata",
    "Outputs",
    "Parameters",
    "Rules",
    "Transform",
)


def _blocks(templates: Sequence[boundary.Template]) -> list[_Block]:
    """Every resource block written in CloudFormation and SAM sources, in line order, with
    the top-level sections that bound them.

    A generated resource can come from several SAM resources: SAM's implicit API holds
    the routes of every function whose `Events` declare one, and its `origin` names one
    of them. A finding on it is placed on the SAM resource whose block holds the
    finding's line (the function with the open route), not on that one origin. A finding
    on a role whose line is in a policy resource of its own (`AWS::IAM::Policy` with
    `Roles: [!Ref Role]`) is placed on that policy, where its check runs."""
    blocks: set[_Block] = set()
    for template in templates:
        if template.locate is None or template.format == "terraform":
            continue
        origins = {r.origin for r in template.resources.values() if r.origin}
        for origin in origins:
            line, _ = template.locate(("Resources", origin))
            if line:
                blocks.add(_Block(line, origin, sam=True))
        for resource in template.resources.values():
            if resource.origin or resource.id in origins:  # a SAM function keeps its id
                continue
            line, _ = template.locate(("Resources", resource.id))
            if line:
                blocks.add(_Block(line, resource.id, resource.type))
        for section in _SECTIONS:
            line, _ = template.locate((section,))
            if line:
                blocks.add(_Block(line, section, resource=False))
    return sorted(blocks)


def _block_at(blocks: Sequence[_Block], line: int) -> _Block | None:
    """The resource whose block holds `line` (the last block starting at or before it, if
    that is a resource); None when there is none."""
    index = bisect.bisect_right(blocks, line, key=lambda block: block.line) - 1
    if line <= 0 or index < 0 or not blocks[index].resource:
        return None
    return blocks[index]


def _checked_types() -> dict[str, frozenset[str]]:
    """Each rule's CloudFormation resource types: those its Checkov check runs on."""
    return {meta.id: frozenset(meta.resource_types.get("cloudformation", ())) for meta in registry()}


def _failed(path: str, errors: tuple[str, ...]) -> FileAnalysis:
    """No verdict: every check of the file answers UNKNOWN, and stderr says why, once."""
    if path not in _WARNED:
        _WARNED.add(path)
        for error in errors:
            _LOG.warning("boundary: %s", error)
    return FileAnalysis(path=path, errors=errors)


def locate(scanned_file: str, hint: object = None) -> str | None:
    """The file a Checkov check is looking at, as an absolute path.

    Checkov hands checks the file relative to the folder it scans (`/sam/template.yaml`
    for `checkov -d samples`). The folder is found, nearest first, among: `hint` (the
    plan runner puts the file in the resource's `__file__`), the file and folder
    Checkov's runner is working on (`file_abs_path`, `full_file_path`, `root_folder`,
    the parameters of `Runner.run` and its loops), and the working directory. A
    candidate is taken only if it exists and ends with the relative path.
    """
    relative = scanned_file.lstrip("/\\")
    wanted = os.path.normpath(relative)
    candidates: list[str] = []
    if isinstance(hint, str) and hint:
        candidates.append(hint)
    frame = inspect.currentframe()
    try:
        frame = frame.f_back if frame else None
        depth = 0
        while frame is not None and depth < 40:
            local = frame.f_locals
            for name in ("file_abs_path", "full_file_path"):
                value = local.get(name)
                if isinstance(value, str) and value:
                    candidates.append(value)
            root = local.get("root_folder")
            if isinstance(root, str) and root:
                candidates.append(os.path.join(root, relative))
            frame = frame.f_back
            depth += 1
    finally:
        del frame
    candidates.append(os.path.join(os.getcwd(), relative))
    for candidate in candidates:
        absolute = os.path.abspath(candidate)
        if not os.path.isfile(absolute):
            continue
        if wanted.startswith(".."):
            if os.path.basename(absolute) == os.path.basename(wanted):
                return absolute
        elif absolute == wanted or absolute.endswith(os.sep + wanted):
            return absolute
    return None
