"""The pipeline runs one way: a stage imports only from the stages before it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# stage -> the boundary packages it may import (itself included)
ALLOWED = {
    "model": {"model"},
    "findings": {"model", "findings"},
    "iam": {"model", "iam"},
    "load": {"model", "iam", "load"},
    "graph": {"model", "iam", "graph"},
    "config": {"rules", "config"},
    "rules": {"model", "findings", "iam", "graph", "rules", "policies"},
    "policies": {"model", "findings", "iam", "graph", "rules", "policies"},
    "scanner": {"model", "findings", "load", "graph", "rules", "config", "scanner"},
    "report": {"model", "findings", "rules", "config", "scanner", "report", "iam"},
    # the Checkov adapter: boundary's public API (`import boundary`, `boundary.rules`,
    # `boundary.findings`, `boundary.config`) only; no core stage lists it, so nothing
    # in the core may import it
    "integrations": {"findings", "rules", "config", "integrations"},
    "export": {"model", "findings", "graph", "rules", "export"},
    # granted against used, and policies from activity: the whole pipeline with activity
    "audit": {"model", "findings", "iam", "load", "graph", "rules", "config", "audit"},
}
# The engine loads the built-in pack and the pack subclasses the engine's `Rule`: one stage
# in two folders, the only pair that may import each other.
SAME_STAGE = frozenset({"rules", "policies"})
# what no stage but the command line may import: the integrations sit on top of the core
CORE = {stage for stage in ALLOWED if stage != "integrations"}


def _stage(path: Path) -> str:
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "policies":
        return "policies"
    name = relative.parts[1]
    return name[:-3] if name.endswith(".py") else name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "boundary" and len(parts) > 1:
                found.add(parts[1])
    return found


SOURCES = sorted(
    p for p in [*(ROOT / "boundary").rglob("*.py"), *(ROOT / "policies").glob("*.py")] if _stage(p) in ALLOWED
)


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_stage_imports_only_earlier_stages(path: Path) -> None:
    stage = _stage(path)
    wrong = _imports(path) - ALLOWED[stage]
    assert not wrong, f"{path.relative_to(ROOT)} ({stage}) imports {sorted(wrong)}"


def _private_imports(path: Path) -> set[str]:
    """Modules imported from `boundary` whose path has an `_underscore` part."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("boundary.") and any(p.startswith("_") for p in n.split("."))}


INTEGRATIONS = sorted((ROOT / "boundary" / "integrations").rglob("*.py"))


@pytest.mark.parametrize("path", INTEGRATIONS, ids=[str(p.relative_to(ROOT)) for p in INTEGRATIONS])
def test_integrations_use_the_public_api_only(path: Path) -> None:
    private = {n for n in _private_imports(path) if not n.startswith("boundary.integrations.")}
    assert not private, f"{path.relative_to(ROOT)} imports private modules {sorted(private)}"


def test_nothing_in_the_core_imports_the_integrations() -> None:
    core = [p for p in SOURCES if _stage(p) in CORE]
    assert core
    offenders = [str(p.relative_to(ROOT)) for p in core if "integrations" in _imports(p)]
    assert not offenders


def test_model_is_pure() -> None:
    """model.py has no I/O and no networkx."""
    tree = ast.parse((ROOT / "boundary" / "model.py").read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"__future__", "enum", "collections.abc", "dataclasses", "typing"}, modules
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "open" not in calls


# --- grep-level contracts between the stages -------------------------------------------

LIBRARY = sorted(
    [*(ROOT / "boundary").rglob("*.py"), *(ROOT / "policies").glob("*.py"), *(ROOT / "scripts").glob("*.py")]
)


def _package(path: Path) -> str:
    """`boundary/graph/queries.py` -> `graph`; `boundary/cli.py` -> ``; policies and scripts by name."""
    relative = path.relative_to(ROOT)
    if relative.parts[0] != "boundary":
        return relative.parts[0]
    return relative.parts[1] if len(relative.parts) > 2 else ""


def _private_targets(path: Path) -> set[tuple[str, str]]:
    """(package, module) of every `_underscore` boundary module a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] != "boundary":
                continue
            for depth, part in enumerate(parts[1:], start=1):
                if part.startswith("_") and not part.startswith("__"):
                    package = parts[1] if depth > 1 else ""
                    found.add((package, ".".join(parts[: depth + 1])))
                    break
    return found


@pytest.mark.parametrize("path", LIBRARY, ids=[str(p.relative_to(ROOT)) for p in LIBRARY])
def test_no_private_module_is_imported_across_packages(path: Path) -> None:
    """`_underscore` modules are their package's own business; other stages use public names."""
    own = _package(path)
    if own == "policies":
        own = "policies"  # the pack (boundary.policies) may use its own private modules
    wrong = sorted(module for package, module in _private_targets(path) if package != own)
    assert not wrong, f"{path.relative_to(ROOT)} imports private modules of other packages: {wrong}"


# The Terraform loader's seams (boundary/load/terraform/): each module and the modules of
# the package it may import. Policies, relations and endpoints ask a `PlanIndex` which
# resources an attribute means; none of them imports another seam's internals, and only
# `plan` runs them all. A new module has to be placed here.
TERRAFORM = ROOT / "boundary" / "load" / "terraform"
TERRAFORM_SEAMS: dict[str, set[str]] = {
    "_shapes": set(),
    "sources": set(),
    "locations": {"sources"},
    "instances": {"_shapes"},
    "references": {"_shapes", "instances"},
    "index": {"_shapes", "instances", "locations", "references"},
    "policies": {"_shapes", "index", "instances", "sources"},
    "relations": {"_shapes", "index", "instances", "references"},
    "endpoints": {"_shapes", "index", "instances", "relations"},
    "plan": {
        "_shapes",
        "endpoints",
        "index",
        "instances",
        "locations",
        "policies",
        "references",
        "relations",
        "sources",
    },
    "__init__": {"plan"},
}


def _terraform_imports(path: Path) -> set[str]:
    """The modules of `boundary.load.terraform` a file imports (`hcl` for its subpackage)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:3] == ["boundary", "load", "terraform"] and len(parts) > 3:
                found.add(parts[3])
    return found


TERRAFORM_MODULES = sorted(TERRAFORM.glob("*.py"))


@pytest.mark.parametrize("path", TERRAFORM_MODULES, ids=[p.stem for p in TERRAFORM_MODULES])
def test_terraform_seams_import_one_way(path: Path) -> None:
    assert path.stem in TERRAFORM_SEAMS, f"{path.name}: place the new module in TERRAFORM_SEAMS"
    wrong = _terraform_imports(path) - TERRAFORM_SEAMS[path.stem]
    assert not wrong, f"boundary/load/terraform/{path.name} imports {sorted(wrong)}"


def test_the_plan_loader_reads_tf_sources_through_the_protocol_only() -> None:
    """The plan side never imports the `.tf` reader (it asks `sources.ConfigurationSources`);
    the reader uses the plan side's value helpers only, and its entry point runs the plan
    loader on the plan it builds from the sources."""
    assert all("hcl" not in _terraform_imports(p) for p in TERRAFORM_MODULES)
    for path in sorted((TERRAFORM / "hcl").glob("*.py")):
        allowed = {"hcl", "_shapes"} | ({"plan"} if path.name == "__init__.py" else set())
        wrong = _terraform_imports(path) - allowed
        assert not wrong, f"boundary/load/terraform/hcl/{path.name} imports {sorted(wrong)}"


def _functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


def _uses_regex(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id == "re":
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in (
            "search",
            "match",
            "fullmatch",
            "finditer",
            "findall",
        ):
            return True
    return False


def _reads_source_text(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "source_lines":
            return True
        if isinstance(sub, ast.Name) and sub.id in ("source_line", "text_location"):
            return True
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Name)
            and sub.func.id == "repr"
            and any(isinstance(a, ast.Attribute) and a.attr == "properties" for a in ast.walk(sub))
        ):
            return True
    return False


def test_no_regex_over_source_text_outside_the_loaders() -> None:
    """Stages after `load` locate things through the model (`Template.locate`,
    `Statement.elements`, the Outputs, Mappings and Metadata kept in the template),
    never by searching the source text (its lines, or the repr of a resource's
    properties) with a regex. The report stage reads source lines for code frames,
    without regexes; no function is exempt."""
    found = set()
    for path in LIBRARY:
        relative = str(path.relative_to(ROOT))
        if relative.startswith(("boundary/load/", "scripts/")):
            continue
        for function in _functions(path):
            if _reads_source_text(function) and _uses_regex(function):
                found.add(f"{relative}::{function.name}")
    assert found == set(), "regex over source text outside the loaders: locate through the model"


def test_the_regex_location_helpers_are_gone() -> None:
    """`queries.source_line`/`text_location` and `permissions.issue_location` searched the
    source text; templates locate key paths (`Template.locate`) and statements their
    elements (`Statement.elements`) instead."""
    from boundary.graph import permissions, queries

    for module, name in (
        (queries, "source_line"),
        (queries, "text_location"),
        (permissions, "issue_location"),
    ):
        assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_one_iam_evaluator() -> None:
    """Allow/Deny decisions are made in boundary/iam/evaluate.py only: graph/permissions
    gathers statements and delegates; no second evaluator module exists."""
    iam = {p.name for p in (ROOT / "boundary" / "iam").glob("*.py")}
    assert "evaluate.py" in iam and "effective.py" not in iam
    permissions = (ROOT / "boundary" / "graph" / "permissions.py").read_text(encoding="utf-8")
    assert "wildcard_match" not in permissions and '"Deny"' not in permissions
    deciders = set()
    for path in LIBRARY:
        relative = str(path.relative_to(ROOT))
        if relative.startswith("boundary/iam/"):
            continue
        text = path.read_text(encoding="utf-8")
        if '"Deny"' in text and "wildcard_match" in text:
            deciders.add(relative)
    # broad-trust-policy reads the conditions of Deny statements in trust policies (which
    # keys pin the caller); it decides no action grant.
    assert deciders <= {"policies/broad_trust_policy.py"}, deciders


_TYPE_NAME = re.compile(r"^(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+|aws_[a-z0-9_]+)$")
TYPE_TABLE = "boundary/load/_cfn_types.py"


def _type_facts(node: ast.AST) -> bool:
    """Whether a value says what a type is: a `ResourceKind` (`_K.DATA`) or an ARN format."""
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and sub.value.id in ("_K", "ResourceKind")
        ):
            return True
        if (
            isinstance(sub, ast.Constant)
            and isinstance(sub.value, str)
            and (":" in sub.value and "{" in sub.value or sub.value.startswith(("arn:", "/", ":")))
        ):
            return True
    return False


def test_one_resource_type_table() -> None:
    """Kinds, names and ARN formats of resource types live in one table, keyed by the
    CloudFormation type with the Terraform types as aliases (`load/_cfn_types.py`):
    no other module keeps a mapping from type names (CloudFormation or Terraform) to
    kinds or ARN formats."""
    assert not (ROOT / "boundary" / "load" / "_tf_types.py").exists()
    tables = set()
    for path in LIBRARY:
        relative = str(path.relative_to(ROOT))
        if relative == TYPE_TABLE or relative.startswith("scripts/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict):
                continue
            typed = [
                value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and _TYPE_NAME.match(key.value)
            ]
            if len(typed) >= 3 and sum(_type_facts(value) for value in typed) >= 3:
                tables.add(f"{relative}:{node.lineno}")
    assert not tables, sorted(tables)


def test_rules_compare_the_canonical_type_never_a_terraform_twin() -> None:
    """Past the loaders, a resource's type is compared as `aws_type`, the CloudFormation
    name: no rule or query spells the Terraform name of a type that has a CloudFormation
    twin in the one type table (`load/_cfn_types.TERRAFORM_ALIASES`)."""
    from boundary.load._cfn_types import TERRAFORM_ALIASES

    twins = {alias for aliases in TERRAFORM_ALIASES.values() for alias in aliases}
    assert "aws_lambda_function" in twins
    # resource-type-mismatch keeps a table of Terraform *attributes* that are not ARNs
    # (`aws_sqs_queue.url`): Terraform's attribute names, not a pairing of type names.
    exempt = ("boundary/load/", "scripts/", "policies/resource_type_mismatch.py")
    spelled = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in LIBRARY
        if not str(path.relative_to(ROOT)).startswith(exempt)
        for name in re.findall(r'"(aws_[a-z0-9_]+)"', path.read_text(encoding="utf-8"))
        if name in twins
    }
    assert not spelled, sorted(spelled)


def test_no_module_pretends_to_be_something_else() -> None:
    """`boundary.load` is a function exported from `boundary`, not a callable package: no
    module subclasses `ModuleType` or swaps a module's class."""
    found = []
    for path in LIBRARY:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                "ModuleType" in ast.unparse(base) for base in node.bases
            ):
                found.append(f"{path.relative_to(ROOT)}: class {node.name}")
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    text = ast.unparse(target)
                    if text.endswith(".__class__"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text} = ...")
    assert not found, found


def test_one_loader_interface() -> None:
    """Every format is a `Loader` of `load/formats.LOADERS` (recognise content, load it into
    a template): the package's `load_file` asks them, and detects no format itself."""
    from boundary.load.formats import LOADERS, Loader

    assert {loader.format.value for loader in LOADERS} == {"sam", "cloudformation", "terraform"}
    assert all(isinstance(loader, Loader) for loader in LOADERS)
    package = (ROOT / "boundary" / "load" / "__init__.py").read_text(encoding="utf-8")
    for detection in ("is_sam(", "is_plan(", "looks_like_plan(", "parse_document(text, file)"):
        assert detection not in package, detection


def _layout_order() -> list[str]:
    """The stages in the order the README's Layout diagram first names them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    diagram = layout[layout.index("```text") : layout.index("```", layout.index("```text") + 3)]
    order: list[str] = []
    for word in re.findall(r"[a-z]+", diagram):
        if word in ALLOWED and word not in order:
            order.append(word)
    return order


def test_the_stages_import_in_one_order_and_the_readme_draws_it() -> None:
    """The allowed imports form no cycle (rules and policies are one stage), and the
    README's Layout diagram names every stage after the stages it may import."""
    import graphlib

    merged = {
        stage: {("rules" if s in SAME_STAGE else s) for s in allowed} for stage, allowed in ALLOWED.items()
    }
    graph = {("rules" if stage in SAME_STAGE else stage): set() for stage in ALLOWED}
    for stage, allowed in merged.items():
        key = "rules" if stage in SAME_STAGE else stage
        graph[key] |= allowed - {key}
    list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a cycle
    order = _layout_order()
    assert set(order) == set(ALLOWED), set(ALLOWED) ^ set(order)
    late = [
        f"{stage} imports {other}, drawn after it"
        for stage, allowed in ALLOWED.items()
        for other in allowed - {stage}
        if {stage, other} != SAME_STAGE and order.index(other) > order.index(stage)
    ]
    assert not late, late


# The code that reads a node's in-edges, or groups edges by their target: on a node that
# several templates share (an ARN outside them), it sees more than one template, so the
# edge kinds it reads there must couple those templates (`queries.coupling_keys`), or the
# built-in rules, which run on each file alone unless it is coupled to another
# (`evaluate_grouped`), would miss what the whole graph shows. A new reader has to be
# listed here, after checking `coupling_keys` (and `_READ_ACROSS` beside it).
_IN_EDGE_READS = re.compile(
    r"\bin_edges\(|\bpredecessors\(|\.pred\b|\bin_degree\(|\b_in\(|edges_of_kind\(|\.previous\b"
)
IN_EDGE_READERS = {
    # executes-as, invokes: coupled when the node is shared
    ("boundary/graph/queries.py", "_in"),
    ("boundary/graph/queries.py", "executors"),
    ("boundary/graph/queries.py", "execution_roles"),
    ("boundary/graph/queries.py", "invokers"),
    ("policies/unreferenced_resource_grant.py", "_judged_roles"),
    # attached-policy from principals outside the template: coupled
    ("boundary/graph/queries.py", "outside_owners"),
    # in-edges of a node of one template only (a compute resource, an endpoint, a
    # policy the template writes)
    ("boundary/graph/queries.py", "referenced_by"),
    ("boundary/graph/queries.py", "api_of"),
    ("policies/resource_type_mismatch.py", "_granted_elsewhere"),
    # `edges_of_kind` itself, and the graph query behind `boundary graph --who-can-reach`
    # (not read by any rule)
    ("boundary/graph/queries.py", "edges_of_kind"),
    ("boundary/graph/paths.py", "who_can_reach"),
}


def test_every_reader_of_in_edges_is_known_to_the_coupling_keys() -> None:
    found: set[tuple[str, str]] = set()
    for path in [
        *sorted((ROOT / "boundary" / "graph").glob("*.py")),
        *sorted((ROOT / "policies").glob("*.py")),
    ]:
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = ast.get_source_segment(text, node) or ""
                if _IN_EDGE_READS.search(body):
                    found.add((path.relative_to(ROOT).as_posix(), node.name))
    assert found == IN_EDGE_READERS, (
        f"new: {sorted(found - IN_EDGE_READERS)}, gone: {sorted(IN_EDGE_READERS - found)}; "
        "check boundary.graph.queries.coupling_keys, then update IN_EDGE_READERS"
    )
