"""One interface for every input format: recognise the content, load it into a template.

`load_file` reads a file's text and asks each loader of `LOADERS`, in order, whether
it recognises the content; the first that does loads it into a `Template`. What a
loader parses to decide (the JSON of a plan, the marked document of a template) is
parsed once and kept on the `Source` for the loader that loads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from boundary.load._errors import SourceError
from boundary.load._limits import LimitExceeded, limit_hint
from boundary.load.options import LoadOptions
from boundary.model import Format, Limits, LoadError, Template

if TYPE_CHECKING:
    from boundary.load._yaml import Document

__all__ = [
    "LOADERS",
    "CloudFormationLoader",
    "Loader",
    "SamLoader",
    "Source",
    "TerraformPlanLoader",
    "load_text",
]


@dataclass
class Source:
    """One file's text, and what the loaders parsed of it (each parse done once)."""

    file: str
    text: str
    options: LoadOptions = field(default_factory=LoadOptions)
    # the `.tf` configuration a plan may come from (`terraform.hcl.ConfigSources`), or None
    sources: Any = None
    _plan: tuple[Any, tuple[LoadError, ...]] | None = field(default=None, repr=False)
    _plan_read: bool = field(default=False, repr=False)
    _document: Document | SourceError | None = field(default=None, repr=False)

    def plan_json(self) -> tuple[Any, tuple[LoadError, ...]] | None:
        """The text decoded by the standard JSON reader with its located warnings, when it
        may be a plan (a JSON object that mentions `format_version`); else None. A
        CloudFormation JSON template is left to the marking parser of `document`."""
        if not self._plan_read:
            self._plan_read = True
            if self.text.lstrip().startswith("{") and '"format_version"' in self.text:
                from boundary.load import _json

                try:
                    self._plan = _json.loads(self.text, self.file)
                except (ValueError, RecursionError):
                    self._plan = None
        return self._plan

    def document(self) -> Document:
        """The text parsed as a template (YAML or JSON) with where each element is written;
        raises the located `SourceError` of text that does not parse."""
        if self._document is None:
            from boundary.load._yaml import parse_document

            try:
                self._document = parse_document(self.text, self.file)
            except SourceError as error:
                self._document = error
        if isinstance(self._document, SourceError):
            raise self._document
        return self._document

    def template_data(self) -> Mapping[str, Any] | None:
        """The parsed document when it is a template (it has `Resources` or
        `AWSTemplateFormatVersion`); None when it is not, or does not parse."""
        try:
            data = self.document().data
        except SourceError:
            return None
        if isinstance(data, Mapping) and any(
            key in data for key in ("Resources", "AWSTemplateFormatVersion")
        ):
            return data
        return None


@runtime_checkable
class Loader(Protocol):
    """A format: whether a file's content is in it, and the template it loads to."""

    format: Format

    def recognises(self, source: Source) -> bool: ...

    def load(self, source: Source) -> Template: ...


class TerraformPlanLoader:
    """`terraform show -json` output (`boundary.load.terraform`)."""

    format = Format.TERRAFORM

    def recognises(self, source: Source) -> bool:
        decoded = source.plan_json()
        if decoded is None:
            return False
        from boundary.load.terraform import is_plan, looks_like_plan

        return bool(is_plan(decoded[0]) or looks_like_plan(decoded[0]))

    def load(self, source: Source) -> Template:
        from boundary.load.terraform import load_plan

        decoded = source.plan_json()
        assert decoded is not None
        data, warnings = decoded
        sources = source.sources
        if sources is not None:
            from boundary.load.terraform.hcl import matches_plan

            if not (isinstance(data, Mapping) and matches_plan(sources, data)):
                sources = None  # another configuration's sources: the plan stands alone
        _check_plan_shape(data, source.file, source.options.limits)
        plan = load_plan(data, file=source.file, text=source.text, options=source.options, sources=sources)
        return replace(plan, warnings=plan.warnings + warnings) if warnings else plan


class SamLoader:
    """A template with the SAM transform: expanded offline (`boundary.load.sam`), then read
    as the CloudFormation it deploys, with what the SAM source adds (`sam_source`)."""

    format = Format.SAM

    def recognises(self, source: Source) -> bool:
        data = source.template_data()
        if data is None:
            return False
        # Not `boundary.load.sam`: the SAM translator is imported for SAM templates only.
        from boundary.load._transform import is_sam

        return is_sam(data)

    def load(self, source: Source) -> Template:
        from boundary.load import sam
        from boundary.load.cloudformation import build_template
        from boundary.load.sam_source import SamSource

        document = source.document()
        data = document.data
        expansion = sam.expand(
            data,
            file=source.file,
            base_dir=str(Path(source.file).parent),
            options=source.options,
            locate=document.locate,
        )
        template = build_template(
            expansion.template,
            file=source.file,
            locate=document.locate,
            template_format=Format.SAM,
            origins=expansion.origins,
            sam=SamSource.read(data),
            options=source.options,
            source_lines=document.lines,
        )
        return _with_warnings(template, document.warnings)


class CloudFormationLoader:
    """A CloudFormation template, YAML or JSON (`boundary.load.cloudformation`)."""

    format = Format.CLOUDFORMATION

    def recognises(self, source: Source) -> bool:
        return source.template_data() is not None

    def load(self, source: Source) -> Template:
        from boundary.load.cloudformation import build_template

        document = source.document()
        _refuse_sam_types_without_transform(source.file, document, document.data)
        template = build_template(
            document.data,
            file=source.file,
            locate=document.locate,
            template_format=Format.CLOUDFORMATION,
            options=source.options,
            source_lines=document.lines,
        )
        return _with_warnings(template, document.warnings)


# In the order they are asked: a plan is told apart by its JSON alone; a SAM template is
# a CloudFormation template with the transform.
LOADERS: tuple[Loader, ...] = (TerraformPlanLoader(), SamLoader(), CloudFormationLoader())


def load_text(
    file: str, text: str, options: LoadOptions, *, named: bool, sources: Any = None
) -> Template | None:
    """The template of a file's text, by the first loader that recognises it (a plan is
    read with `sources`, the `.tf` configuration beside it, when it came from it). A file
    no loader recognises is None when it was found by walking a folder, and a located
    `SourceError` when it was named."""
    source = Source(file, text, options, sources=sources)
    for loader in LOADERS:
        if loader.recognises(source):
            return loader.load(source)
    try:
        source.document()
    except SourceError as error:
        if _looks_like_template(text):
            raise
        if not named:
            return None
        if Path(file).suffix.lower() in (".yaml", ".yml", ".json", ".template"):
            raise  # meant as a template or plan: the parse error is the news
        raise SourceError(
            error.file,
            error.line,
            error.column,
            f"not a SAM template, CloudFormation template or Terraform plan ({error.message})",
        ) from None
    if not named:
        return None
    raise SourceError(
        file, 1, 1, "not a SAM template, CloudFormation template or Terraform plan (no 'Resources')"
    )


def _check_plan_shape(data: Any, file: str, limits: Limits) -> None:
    """Elements and nesting of a decoded plan, counted without recursion (plans are
    read by the standard JSON decoder, which keeps no positions: the error is at 1:1).
    Only containers are visited: each adds its children to the count."""
    count = 1
    stack: list[tuple[Any, int]] = [(data, 1)] if type(data) in _CONTAINERS else []
    while stack:
        value, depth = stack.pop()
        if depth > limits.max_depth:
            raise LimitExceeded(
                file,
                1,
                1,
                f"nesting too deep (more than {limits.max_depth} levels); {limit_hint('max_depth')}",
            )
        children = value.values() if type(value) is dict else value
        count += len(children)
        if count > limits.max_nodes:
            raise LimitExceeded(
                file, 1, 1, f"too many elements (more than {limits.max_nodes}); {limit_hint('max_nodes')}"
            )
        deeper = depth + 1
        for child in children:
            if type(child) in _CONTAINERS:
                stack.append((child, deeper))


# What the JSON decoder builds for objects and arrays (never a subclass).
_CONTAINERS = frozenset({dict, list})


def _refuse_sam_types_without_transform(file: str, document: Any, data: Mapping[str, Any]) -> None:
    """CloudFormation rejects `AWS::Serverless::*` resources without the SAM transform; a scan
    that read them as plain CloudFormation would judge nothing and pass."""
    resources = data.get("Resources")
    if not isinstance(resources, Mapping):
        return
    for logical_id, definition in resources.items():
        kind = definition.get("Type") if isinstance(definition, Mapping) else None
        if isinstance(kind, str) and kind.startswith("AWS::Serverless::"):
            line, column = document.locate(("Resources", logical_id, "Type"))
            raise SourceError(
                file,
                line,
                column,
                f"resource {logical_id} has the SAM type {kind} but the template has no "
                "'Transform: AWS::Serverless-2016-10-31'; CloudFormation rejects it: add the Transform",
            )


def _with_warnings(template: Template, warnings: tuple[LoadError, ...]) -> Template:
    return replace(template, warnings=warnings + template.warnings) if warnings else template


def _looks_like_template(text: str) -> bool:
    return "AWSTemplateFormatVersion" in text or "\nResources:" in text or text.startswith("Resources:")
