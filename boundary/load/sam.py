"""SAM expansion: the CloudFormation a SAM template deploys, computed offline.

The reference translator (aws-sam-translator, the library CloudFormation itself
runs for `AWS::Serverless-2016-10-31`) does the work: implicit roles, policy
templates, `Globals`, event sources, implicit REST and HTTP APIs, function URLs
and connectors come out exactly as they would be deployed. This module only
makes it run where CloudFormation's copy does not:

* offline: the region and partition are given, never looked up through boto3;
  managed policy ARNs come from the map bundled with the translator, never
  from IAM; Serverless Application Repository applications resolve to a
  placeholder URL instead of an API call;
* before packaging: local `CodeUri`/`ContentUri`/`DefinitionUri`... paths
  become `s3://boundary-local/<path>` placeholders, and a local OpenAPI or
  state-machine definition inside the template's folder is inlined, because
  authorization lives in that body;
* traceably: every resource of the output says which place of the source
  document produced it (`Expansion.origins`), so findings on a generated role
  point at the function that asked for it.

Nothing scanned is executed, and any rejection becomes one `SourceError`.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar
from urllib.parse import quote

from boundary.load._cache import record_read
from boundary.load._errors import SourceError
from boundary.load._offline_boto import lazy_schemas, without_boto3
from boundary.load._transform import SAM_TRANSFORM, is_sam
from boundary.load.options import LoadOptions

# The translator imports boto3 at module level but never calls AWS here: stand-ins
# save each process that expands SAM about 0.1 s and 12 MB, and its schema models are
# imported when first used, another 0.1 s (`_offline_boto`).
with without_boto3(), lazy_schemas():
    from samtranslator.feature_toggle.feature_toggle import (
        FeatureToggle,
        FeatureToggleConfigProvider,
    )
    from samtranslator.internal.managed_policies import (
        get_bundled_managed_policy_map,
    )
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.model.exceptions import (
        ExceptionWithMessage,
        InvalidDocumentException,
        InvalidResourceException,
    )
    from samtranslator.parser.parser import Parser
    from samtranslator.plugins import BasePlugin
    from samtranslator.plugins.application.serverless_app_plugin import (
        ServerlessAppPlugin,
    )
    from samtranslator.plugins.policies.policy_templates_plugin import (
        PolicyTemplatesForResourcePlugin,
    )
    from samtranslator.policy_template_processor.processor import (
        PolicyTemplatesProcessor,
    )
    from samtranslator.policy_template_processor.template import Template as PolicyTemplate
    from samtranslator.sdk.parameter import SamParameterValues
    from samtranslator.sdk.template import SamTemplate
    from samtranslator.translator import translator as _translator_module
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )
    from samtranslator.validator.value_validator import sam_expect

__all__ = ["LOCAL_BUCKET", "SAM_TRANSFORM", "Expansion", "SourcePath", "expand", "is_sam"]


def _lighten_translator() -> None:
    """Two of the translator's per-resource costs, answered the same way for less: whether
    a type is a SAM type (it walked the `SamResourceType` enum, member by member, for every
    resource of every plugin pass: about 5 % of a translation) and the map of SAM types to
    classes (built again with `inspect.getmembers` of its module for every template).
    Nothing else about the translator changes; a version without either is left alone."""
    from samtranslator.sdk.resource import SamResourceType

    known = frozenset(member.value for member in SamResourceType)

    def has_value(cls: type, value: Any) -> bool:
        try:
            return value in known
        except TypeError:  # unhashable: equal to no member's value
            return False

    if callable(getattr(SamResourceType, "has_value", None)):
        SamResourceType.has_value = classmethod(has_value)
    resolver = getattr(_translator_module, "ResourceTypeResolver", None)
    if isinstance(resolver, type) and not getattr(resolver, "_boundary_cached", False):
        built: dict[tuple[Any, ...], Any] = {}

        def cached(*modules: Any) -> Any:  # the map depends on the modules alone and is only read
            if modules not in built:
                built[modules] = resolver(*modules)
            return built[modules]

        cached._boundary_cached = True  # type: ignore[attr-defined]
        _translator_module.ResourceTypeResolver = cached


_lighten_translator()


#: The bucket of the `s3://` placeholders that stand for local, unpackaged artifacts.
LOCAL_BUCKET = "boundary-local"

#: A path inside a document: mapping keys and list indexes.
SourcePath = tuple[str | int, ...]

Locate = Callable[[Sequence[str | int]], tuple[int, int]]

# In a second, tracing translation every SAM resource gets this key in its
# Metadata; the translator copies a SAM resource's Metadata onto each resource
# it generates (`passthrough_metadata`), so the key says who generated what.
# The returned template comes from the first, unmarked translation.
_MARK = "boundary:sam-resource"
_CONNECTOR_METADATA = "aws:sam:connectors"
_CONNECTOR_TYPE = "AWS::Serverless::Connector"
_MAX_DEFINITION_BYTES = 5 * 1024 * 1024
_MAX_MESSAGE = 600
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_RESOURCE_IN_MESSAGE = re.compile(r"[Rr]esource with id \[([A-Za-z0-9]+)\]")

# (resource type, property) pairs holding an artifact the translator wants in S3.
_ARTIFACT_PROPERTIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "AWS::Serverless::Function": ("CodeUri",),
        "AWS::Serverless::WebFunction": ("CodeUri",),
        "AWS::Serverless::LayerVersion": ("ContentUri",),
        "AWS::Serverless::Api": ("DefinitionUri",),
        "AWS::Serverless::HttpApi": ("DefinitionUri",),
        "AWS::Serverless::StateMachine": ("DefinitionUri",),
        "AWS::Serverless::GraphQLApi": ("SchemaUri",),
    }
)
_GLOBALS_ARTIFACTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Function": ("CodeUri",),
        "LayerVersion": ("ContentUri",),
        "Api": ("DefinitionUri",),
        "HttpApi": ("DefinitionUri",),
    }
)
# Where a local `DefinitionUri` is inlined: the property that holds the body.
_INLINED_DEFINITION: Mapping[str, str] = MappingProxyType(
    {
        "AWS::Serverless::Api": "DefinitionBody",
        "AWS::Serverless::HttpApi": "DefinitionBody",
        "AWS::Serverless::StateMachine": "Definition",
    }
)


@dataclass(frozen=True, slots=True)
class Expansion:
    """A SAM template expanded to CloudFormation.

    `origins` maps every logical id of `template["Resources"]` to the path, in
    the source document, of what produced it: `("Resources", id)` for a resource
    that kept its id or was generated by that SAM resource, deeper paths where
    one part of the SAM resource produced it (an event, `FunctionUrlConfig`, an
    embedded connector).
    """

    template: dict[str, Any]
    origins: Mapping[str, SourcePath] = field(default_factory=dict)


def expand(
    data: Mapping[str, Any],
    *,
    file: str,
    base_dir: str | None = None,
    options: LoadOptions | None = None,
    locate: Locate | None = None,
) -> Expansion:
    """Expand a SAM template the way CloudFormation would, without AWS.

    `data` is never modified. `base_dir` is the template's folder: local
    definition files are read only from inside it (none are read without it).
    `options.region` and `options.partition` fix what the translator would
    otherwise ask boto3; pass a matching pair. `account` and `stack_name` are the
    deploy context; the transform leaves `AWS::AccountId` and `AWS::StackName` as references, as
    CloudFormation's does, so they only feed the translator's feature switches.
    `locate` turns a source path into (line, column) for error messages.

    Raises `SourceError` (one, for the whole file) when the translator rejects
    the template or fails on it.
    """
    options = options or LoadOptions()
    parameters, region, account, partition = (
        options.parameters,
        options.region,
        options.account,
        options.partition,
    )
    try:
        work = _plain(data)
        if not isinstance(work, dict):
            raise SourceError(file, 1, 0, "SAM template is not a mapping")
        _localize(work, Path(base_dir) if base_dir is not None else None, region, account)
        context = _Context.get(partition)
        marker = _OriginMarker(work)
        output = context.translate(work, dict(parameters or {}), region, account, marker=marker)
    except SourceError:
        raise
    except InvalidDocumentException as error:
        raise _source_error(error.causes, data, file, locate) from None
    except ExceptionWithMessage as error:
        raise _source_error([error], data, file, locate) from None
    except RecursionError:
        raise SourceError(file, 1, 0, "SAM transform failed: the template is nested too deeply") from None
    except Exception as error:  # noqa: BLE001 - any translator failure is bad input for us, never a traceback
        raise SourceError(
            file, 1, 0, f"SAM transform failed: {type(error).__name__}: {_shorten(str(error))}"
        ) from None
    # One translation: who generated what was recorded while it ran, and `work` is the
    # translator's working copy (the events its plugins rewired to implicit APIs).
    origins = _Origins(data, work, output, marker.marked()).compute()
    return Expansion(template=output, origins=origins)


# -- making the translator run offline and fast --------------------------------------------


class _Session:
    """The one thing the translator reads from a boto3 session: its region."""

    def __init__(self, region_name: str) -> None:
        self.region_name = region_name


class _FeatureSwitches(FeatureToggleConfigProvider):  # type: ignore[misc]
    """The translator's optional behaviours, all off, as for an account without dial-ups.

    Listing them (instead of an empty config) keeps the translator from
    warning about each lookup.
    """

    _KNOWN = ("normalized_open_api_version", "deployment_preference_condition_fix")

    @property
    def config(self) -> dict[str, Any]:
        return {name: {} for name in self._KNOWN}


class _OriginMarker(BasePlugin):  # type: ignore[misc]
    """Records which SAM resource each generated resource comes from, in the one translation.

    The hook runs just before each SAM resource is translated (for resources the
    translator's own plugins add, such as implicit APIs, as well); the translator
    then checks each resource it generated with `verify_unique_logical_id`, which
    `_Context.translate` wraps to call `generated`. Nothing is written into the
    template: the output is the translator's, untouched. Connectors are not
    recorded: their policies say their connector in `aws:sam:connectors` metadata.
    Where two SAM resources generate the same id, the later one replaced the
    resource and the id is left unrecorded.
    """

    def __init__(self, work: dict[str, Any]) -> None:
        super().__init__()
        self._work = work
        self._current: str | None = None
        self.origins: dict[str, str | None] = {}

    def on_before_transform_resource(
        self, logical_id: str, resource_type: str, resource_properties: Any
    ) -> None:
        del resource_properties
        resources = self._work.get("Resources")
        resource = resources.get(logical_id) if isinstance(resources, dict) else None
        self._current = None
        if resource_type == _CONNECTOR_TYPE or not isinstance(resource, dict):
            return
        if resource.get("Metadata") is None or isinstance(resource.get("Metadata"), dict):
            self._current = str(logical_id)

    def generated(self, logical_id: str) -> None:
        if self._current is None:
            return
        self.origins[logical_id] = None if logical_id in self.origins else self._current

    def marked(self) -> dict[str, Any]:
        """The recorded origins in the shape `_Origins` reads: `Metadata` marks by logical id."""
        return {
            "Resources": {
                logical_id: {"Metadata": {_MARK: sam_id}}
                for logical_id, sam_id in self.origins.items()
                if sam_id is not None
            }
        }


class _OfflineApplications(ServerlessAppPlugin):  # type: ignore[misc]
    """`AWS::Serverless::Application` without the Serverless Application Repository.

    The stock plugin calls SAR to turn an ApplicationId/SemanticVersion into a
    template URL; here the URL is a placeholder naming the application, and the
    nested stack is left unexpanded.
    """

    def on_before_transform_template(self, template_dict: dict[str, Any]) -> None:
        resolvers = self._get_intrinsic_resolvers(template_dict.get("Mappings", {}))
        for logical_id, app in SamTemplate(template_dict).iterate({self.SUPPORTED_RESOURCE_TYPE}):
            if not self._can_process_application(app):
                continue
            location = app.properties[self.LOCATION_KEY]
            app_id = self._replace_value(location, self.APPLICATION_ID_KEY, resolvers)
            semver = self._replace_value(location, self.SEMANTIC_VERSION_KEY, resolvers)
            key = self._make_app_key(app_id, semver)
            if isinstance(app_id, dict) or isinstance(semver, dict):
                self._applications[key] = False
                continue
            try:
                sam_expect(app_id, logical_id, "Location.ApplicationId").to_be_a_string()
                sam_expect(semver, logical_id, "Location.SemanticVersion").to_be_a_string()
                self._applications[key] = (
                    f"https://{LOCAL_BUCKET}.invalid/serverlessrepo/"
                    f"{quote(app_id, safe='')}/{quote(semver, safe='')}/template.yaml"
                )
            except InvalidResourceException as error:
                self._applications[key] = error


def _bundled_policy_templates() -> Any:
    """The translator's policy-template processor over its bundled templates, built as
    its constructor builds it less the check of those templates against their JSON
    schema (data shipped and tested with the translator; the check took 35 ms of every
    process that expands SAM). Should the processor change shape, it is built the usual way."""
    data = PolicyTemplatesProcessor.get_default_policy_templates_json()
    processor = PolicyTemplatesProcessor.__new__(PolicyTemplatesProcessor)
    try:
        processor.policy_templates = {
            name: PolicyTemplate.from_dict(name, value) for name, value in data["Templates"].items()
        }
    except Exception:  # noqa: BLE001 - another translator version: its own constructor decides
        return PolicyTemplatesProcessor(data)
    if not processor.has(next(iter(processor.policy_templates), "")):
        return PolicyTemplatesProcessor(data)
    return processor


class _Context:
    """What can be shared between expansions: built once per partition, used under a lock.

    The translator keeps some state in class attributes (the region of
    `ArnGenerator`, the metrics singleton), so translations are serialized and
    those attributes are restored afterwards.
    """

    _lock: ClassVar[threading.RLock] = threading.RLock()
    _instances: ClassVar[dict[str, _Context]] = {}

    def __init__(self, partition: str) -> None:
        managed = get_bundled_managed_policy_map(partition)
        self._managed_policies: dict[str, str] = dict(managed or {})
        self._parser = Parser()
        self._metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
        # The processor keeps no per-template state, so one serves every expansion.
        self._policy_templates = _bundled_policy_templates()
        self.partition = partition

    @classmethod
    def get(cls, partition: str) -> _Context:
        with cls._lock:
            if partition not in cls._instances:
                cls._instances[partition] = cls(partition)
            return cls._instances[partition]

    def _policy_template_plugin(self) -> Any:
        return PolicyTemplatesForResourcePlugin(self._policy_templates)

    def translate(
        self,
        work: dict[str, Any],
        parameters: dict[str, Any],
        region: str,
        account: str,
        *,
        marker: _OriginMarker | None = None,
    ) -> dict[str, Any]:
        session = _Session(region)
        values = SamParameterValues(parameters)
        values.add_default_parameter_values(work)
        values.add_pseudo_parameter_values(session)
        if "AWS::Partition" not in parameters:
            values.parameter_values["AWS::Partition"] = self.partition
        plugins: list[Any] = [_OfflineApplications(parameters=values.parameter_values)]
        if marker is not None:
            plugins.append(marker)
        toggles = FeatureToggle(_FeatureSwitches(), stage="boundary", account_id=account, region=region)
        with self._lock:
            saved_region = ArnGenerator.BOTO_SESSION_REGION_NAME
            saved_factory = getattr(_translator_module, "make_policy_template_for_function_plugin", None)
            saved_verify = _translator_module.verify_unique_logical_id
            try:
                if saved_factory is not None:
                    _translator_module.make_policy_template_for_function_plugin = self._policy_template_plugin
                if marker is not None:
                    _translator_module.verify_unique_logical_id = _recording(saved_verify, marker)
                to_py27_compatible_template(work, values.parameter_values)
                translator = _translator_module.Translator(
                    None, self._parser, plugins=plugins, boto_session=session, metrics=self._metrics
                )
                result = translator.translate(
                    work,
                    parameter_values=values.parameter_values,
                    feature_toggle=toggles,
                    passthrough_metadata=True,
                    get_managed_policy_map=lambda: self._managed_policies,
                )
                output: dict[str, Any] = undo_mark_unicode_str_in_template(result)
                return output
            finally:
                self._metrics.publish()  # the dummy publisher drops them; keeps the cache empty
                ArnGenerator.BOTO_SESSION_REGION_NAME = saved_region
                _translator_module.verify_unique_logical_id = saved_verify
                if saved_factory is not None:
                    _translator_module.make_policy_template_for_function_plugin = saved_factory


def _recording(verify: Callable[..., bool], marker: _OriginMarker) -> Callable[..., bool]:
    """The translator's uniqueness check on each generated resource, telling `marker` about it."""

    def check(resource: Any, resources: Any) -> bool:
        unique = verify(resource, resources)
        if unique:
            marker.generated(str(resource.logical_id))
        return unique

    return check


# -- input preparation ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A fresh JSON-like copy: the input is never touched and nothing is shared.

    YAML timestamps (`AWSTemplateFormatVersion: 2010-09-09` unquoted) become the
    strings CloudFormation reads; other non-JSON leaves become their text.
    """
    if isinstance(value, Mapping):
        return {key if isinstance(key, str) else str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(item) for item in value), key=str)
    return str(value)


def _is_local_path(value: Any) -> bool:
    """A plain path (not a URI, intrinsic or dynamic reference): an unpackaged artifact."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and not _URI_SCHEME.match(value)
        and "{{resolve:" not in value
    )


def _placeholder(path: str) -> str:
    key = posixpath.normpath(path.strip().replace("\\", "/")).lstrip("/")
    return f"s3://{LOCAL_BUCKET}/{key or '.'}"


def _localize(work: dict[str, Any], base_dir: Path | None, region: str, account: str) -> None:
    """Make unpackaged artifacts acceptable to the translator, as `sam package` would.

    A local `DefinitionUri` of an Api, HttpApi or StateMachine is inlined when
    the file lies inside `base_dir` and parses; otherwise (missing, unreadable,
    outside the tree, too large, not a mapping) it becomes a placeholder like
    any other local path. A Zip function with no code at all gets SAM CLI's
    default (`.`); an image function with no `ImageUri` (built by `sam build`
    from `Metadata.DockerContext`) a placeholder image in the account's ECR. An
    Api's `AlwaysDeploy` is dropped, so that its deployment's name does not
    depend on the clock.
    """
    for section in ("Resources", "Globals"):
        if isinstance(work.get(section), dict):
            work[section] = _inline_includes(work[section], base_dir)
    resources = work.get("Resources")
    globals_ = work.get("Globals")
    global_function = globals_.get("Function") if isinstance(globals_, dict) else None
    global_function = global_function if isinstance(global_function, dict) else {}
    if isinstance(globals_, dict):
        _deploy_by_content(globals_.get("Api"))
        for section, names in _GLOBALS_ARTIFACTS.items():
            props = globals_.get(section)
            if isinstance(props, dict):
                for name in names:
                    if _is_local_path(props.get(name)):
                        props[name] = _placeholder(props[name])
    if not isinstance(resources, dict):
        return
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        props = resource.get("Properties")
        if not isinstance(kind, str) or not isinstance(props, dict):
            if kind == "AWS::Serverless::Function" and props is None and "Properties" not in resource:
                resource["Properties"] = props = {}
            else:
                continue
        body_property = _INLINED_DEFINITION.get(kind)
        uri = props.get("DefinitionUri")
        if body_property and isinstance(uri, str) and _is_local_path(uri) and body_property not in props:
            body = _read_definition(base_dir, uri)
            if body is not None:
                del props["DefinitionUri"]
                props[body_property] = body
        for name in _ARTIFACT_PROPERTIES.get(kind, ()):
            if _is_local_path(props.get(name)):
                props[name] = _placeholder(props[name])
        if kind == "AWS::Serverless::Api":
            _deploy_by_content(props)
        if kind == "AWS::Serverless::GraphQLApi":
            _localize_graphql_code(props)
        if kind == "AWS::Serverless::Function":
            _default_function_code(logical_id, props, global_function, region, account)


def _deploy_by_content(props: Any) -> None:
    """Drop an Api's `AlwaysDeploy`: with it, the translator names the API's deployment after
    the clock (`Deployment<hash of the time>`), so each scan would give it another logical
    id. Without it the name is a hash of the API's definition, the same on every scan; what
    is deployed is the same either way."""
    if isinstance(props, dict):
        props.pop("AlwaysDeploy", None)


def _inline_includes(value: Any, base_dir: Path | None) -> Any:
    """Replace `Fn::Transform: AWS::Include` of a local file by its content, as CloudFormation would.

    CloudFormation runs these includes before the SAM transform (after `sam
    package` uploaded the file). One whose file cannot be read safely stays as
    written.
    """
    if isinstance(value, list):
        return [_inline_includes(item, base_dir) for item in value]
    if not isinstance(value, dict):
        return value
    transform = value.get("Fn::Transform")
    if len(value) == 1 and isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
        parameters = transform.get("Parameters")
        location = parameters.get("Location") if isinstance(parameters, dict) else None
        if isinstance(location, str) and _is_local_path(location):
            body = _read_definition(base_dir, location)
            if body is not None:
                return body
        return value
    return {key: _inline_includes(item, base_dir) for key, item in value.items()}


def _localize_graphql_code(props: dict[str, Any]) -> None:
    functions = props.get("Functions")
    resolvers = props.get("Resolvers")
    holders: list[Any] = list(functions.values()) if isinstance(functions, dict) else []
    if isinstance(resolvers, dict):
        for fields in resolvers.values():
            if isinstance(fields, dict):
                holders.extend(fields.values())
    for holder in holders:
        if isinstance(holder, dict) and _is_local_path(holder.get("CodeUri")):
            holder["CodeUri"] = _placeholder(holder["CodeUri"])


def _default_function_code(
    logical_id: str, props: dict[str, Any], global_function: Mapping[str, Any], region: str, account: str
) -> None:
    def declared(name: str) -> bool:
        return name in props or name in global_function

    package_type = props.get("PackageType", global_function.get("PackageType", "Zip"))
    if package_type == "Image":
        if not declared("ImageUri"):
            props["ImageUri"] = (
                f"{account}.dkr.ecr.{region}.amazonaws.com/{LOCAL_BUCKET}:{logical_id.lower()}"
            )
    elif package_type == "Zip" and not declared("CodeUri") and not declared("InlineCode"):
        props["CodeUri"] = _placeholder(".")


def _read_definition(base_dir: Path | None, uri: str) -> dict[str, Any] | None:
    """The parsed definition file, or None when it cannot be read safely."""
    if base_dir is None:
        return None
    try:
        root = base_dir.resolve()
        target = (root / uri).resolve()
        if root != target and root not in target.parents:
            return None
        record_read(target)
        if not target.is_file() or target.stat().st_size > _MAX_DEFINITION_BYTES:
            return None
        text = target.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None
    try:
        data = _parse_definition(text, str(target))
    except Exception:  # noqa: BLE001 - an unparsable definition is a placeholder, not a crash
        return None
    plain = _plain(data)
    return plain if isinstance(plain, dict) else None


def _parse_definition(text: str, file: str) -> Any:
    """JSON or YAML (CloudFormation short-form tags allowed), through the project's safe loader."""
    from boundary.load._yaml import parse_document

    return parse_document(text, file).data


# -- errors -----------------------------------------------------------------------------------


def _source_error(
    causes: Iterable[ExceptionWithMessage], data: Mapping[str, Any], file: str, locate: Locate | None
) -> SourceError:
    """One error for the file: every cause, first in source order, located at the first that names a resource."""
    found: dict[str, tuple[int, int] | None] = {}
    for cause in causes:
        message = " ".join(str(getattr(cause, "message", cause)).split())
        if message not in found:
            found[message] = _position(message, data, locate)
    # Causes naming a resource come in file order, the others after them.
    ordered = sorted(found, key=lambda m: (found[m] is None, found[m] or (0, 0)))
    position = found[ordered[0]] if ordered else None
    line, column = position if position is not None else (1, 0)
    return SourceError(file, line, column, "SAM transform failed: " + _join_messages(ordered))


def _position(message: str, data: Mapping[str, Any], locate: Locate | None) -> tuple[int, int] | None:
    match = _RESOURCE_IN_MESSAGE.search(message)
    path = _source_path_of(match.group(1), data) if match and locate is not None else None
    if path is None or locate is None:
        return None
    try:
        line, column = locate(path)
    except Exception:  # noqa: BLE001 - a failed lookup only costs the position
        return None
    return (line, column) if line > 0 else None


def _source_path_of(logical_id: str, data: Mapping[str, Any]) -> SourcePath | None:
    resources = data.get("Resources")
    if not isinstance(resources, Mapping):
        return None
    if logical_id in resources:
        return ("Resources", logical_id)
    for source, name in _embedded_connectors(resources):
        if source + name == logical_id:
            return ("Resources", source, "Connectors", name)
    for source, resource in resources.items():  # the translator names an event `<resource><event>`
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        events = props.get("Events") if isinstance(props, Mapping) else None
        if isinstance(events, Mapping):
            for name in events:
                if f"{source}{name}" == logical_id:
                    return ("Resources", source, "Properties", "Events", name)
    return None


def _join_messages(messages: Sequence[str]) -> str:
    text = ""
    for index, message in enumerate(messages):
        candidate = message if not text else f"{text}; {message}"
        if len(candidate) > _MAX_MESSAGE:
            rest = len(messages) - index
            if not text:
                return _shorten(message)
            return f"{text}; (+{rest} more)"
        text = candidate
    return text or "the translator rejected the template"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


# -- origins -----------------------------------------------------------------------------------


def _embedded_connectors(resources: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for source, resource in resources.items():
        connectors = resource.get("Connectors") if isinstance(resource, Mapping) else None
        if isinstance(connectors, Mapping):
            for name in connectors:
                yield str(source), str(name)


def _references(value: Any) -> Iterator[str]:
    """Logical ids a value mentions through Ref, Fn::GetAtt, Fn::Sub or DependsOn."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                yield item
            elif key == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) and item else item
                if isinstance(target, str):
                    yield target.split(".", 1)[0]
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) and item else item
                if isinstance(text, str):
                    yield from re.findall(r"\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}", text)
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


class _Origins:
    """Works out, for each output resource, the source path that produced it.

    In order of trust: the mark the translator passed through from the SAM
    resource it was translating (refined to the event or `FunctionUrlConfig`
    whose name prefixes the generated id, the translator's naming); the
    `aws:sam:connectors` metadata of connector policies; the SAM resource whose
    id prefixes the generated one (`<Function>DeploymentGroup`); the origin of
    the resources that refer to it, then of those it refers to; and last the
    `Transform` line itself.
    """

    def __init__(
        self,
        source: Mapping[str, Any],
        work: Mapping[str, Any],
        output: Mapping[str, Any],
        marked: Mapping[str, Any],
    ) -> None:
        resources = source.get("Resources")
        self._source: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}
        work_resources = work.get("Resources")
        self._work: Mapping[str, Any] = work_resources if isinstance(work_resources, Mapping) else {}
        out = output.get("Resources")
        self._output: Mapping[str, Any] = out if isinstance(out, Mapping) else {}
        marked_resources = marked.get("Resources")
        self._marked: Mapping[str, Any] = marked_resources if isinstance(marked_resources, Mapping) else {}
        self._fallback: SourcePath = ("Transform",) if "Transform" in source else ("Resources",)
        self._embedded = {
            src + name: ("Resources", src, "Connectors", name)
            for src, name in _embedded_connectors(self._source)
        }

    def compute(self) -> dict[str, SourcePath]:
        origins: dict[str, SourcePath] = {}
        pending: list[str] = []
        for logical_id, resource in self._output.items():
            if logical_id in self._source:
                origins[logical_id] = ("Resources", logical_id)
                continue
            path = self._from_metadata(logical_id, self._marked.get(logical_id, resource))
            if path is None:
                path = self._from_prefix(logical_id)
            if path is None:
                pending.append(logical_id)
            else:
                origins[logical_id] = path
        self._from_links(pending, origins)
        # str(): ids read from the translator's working copy are str subclasses
        return {
            str(logical_id): tuple(str(step) if isinstance(step, str) else step for step in path)
            for logical_id, path in origins.items()
        }

    def _sam_path(self, sam_id: str) -> SourcePath | None:
        """The source path of a SAM resource the translator processed."""
        if sam_id in self._source:
            return ("Resources", sam_id)
        if sam_id in self._embedded:
            return self._embedded[sam_id]
        return self._implicit_api_event(sam_id)

    def _implicit_api_event(self, api_id: str) -> SourcePath | None:
        """The first event that made the translator add an implicit API (`ServerlessRestApi`...).

        The translator's plugin wrote `{"Ref": <api id>}` into each such event
        (RestApiId / ApiId) of the working copy.
        """
        for logical_id, resource in self._work.items():
            if logical_id not in self._source or not isinstance(resource, Mapping):
                continue
            props = resource.get("Properties")
            events = props.get("Events") if isinstance(props, Mapping) else None
            if not isinstance(events, Mapping):
                continue
            for name, event in events.items():
                event_props = event.get("Properties") if isinstance(event, Mapping) else None
                if isinstance(event_props, Mapping) and any(
                    value == {"Ref": api_id} for value in event_props.values()
                ):
                    return ("Resources", logical_id, "Properties", "Events", name)
        return None

    def _refine(self, sam_id: str, base: SourcePath, generated_id: str) -> SourcePath:
        """The event or function URL of `sam_id` that the generated id is named after."""
        if base != ("Resources", sam_id):
            return base
        resource = self._source.get(sam_id)
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        if not isinstance(props, Mapping):
            return base
        events = props.get("Events")
        if isinstance(events, Mapping):
            matches = [str(name) for name in events if generated_id.startswith(sam_id + str(name))]
            if matches:
                return (*base, "Properties", "Events", max(matches, key=len))
        if "FunctionUrlConfig" in props and generated_id.lower().startswith((sam_id + "Url").lower()):
            return (*base, "Properties", "FunctionUrlConfig")
        return base

    def _from_metadata(self, logical_id: str, resource: Any) -> SourcePath | None:
        metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
        if not isinstance(metadata, Mapping):
            return None
        mark = metadata.get(_MARK)
        if isinstance(mark, str):
            base = self._sam_path(mark)
            if base is not None:
                return self._refine(mark, base, logical_id)
        connectors = metadata.get(_CONNECTOR_METADATA)
        if isinstance(connectors, Mapping):
            for connector_id in sorted(connectors):
                path = self._sam_path(str(connector_id))
                if path is not None:
                    return path
        return None

    def _from_prefix(self, logical_id: str) -> SourcePath | None:
        candidates = [
            sam_id
            for sam_id, resource in self._work.items()
            if isinstance(resource, Mapping)
            and str(resource.get("Type", "")).startswith("AWS::Serverless::")
            and logical_id.startswith(sam_id)
            and logical_id != sam_id
        ]
        for sam_id in sorted(candidates, key=len, reverse=True):
            base = self._sam_path(sam_id)
            if base is not None:
                return self._refine(sam_id, base, logical_id)
        return None

    def _from_links(self, pending: list[str], origins: dict[str, SourcePath]) -> None:
        referrers: dict[str, set[str]] = {}
        referenced: dict[str, set[str]] = {}
        for logical_id, resource in self._output.items():
            targets = set(_references(resource))
            depends = resource.get("DependsOn") if isinstance(resource, Mapping) else None
            targets.update(
                [depends]
                if isinstance(depends, str)
                else [d for d in depends if isinstance(d, str)]
                if isinstance(depends, list)
                else []
            )
            for target in targets:
                if isinstance(target, str) and target != logical_id:
                    referrers.setdefault(target, set()).add(logical_id)
                    referenced.setdefault(logical_id, set()).add(target)
        while pending:
            progress = False
            for logical_id in list(pending):
                for links in (referrers.get(logical_id, set()), referenced.get(logical_id, set())):
                    known = sorted(link for link in links if link in origins)
                    if known:
                        origins[logical_id] = origins[known[0]]
                        pending.remove(logical_id)
                        progress = True
                        break
            if not progress:
                break
        for logical_id in pending:
            origins[logical_id] = self._fallback
