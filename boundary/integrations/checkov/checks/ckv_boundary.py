"""boundary's rules as Checkov checks; loaded by Checkov from `--external-checks-dir`.

Checkov executes this file once per framework it runs (its registries each load
the external folders), under the module name `ckv_boundary`; registering a check
id twice is a no-op in Checkov's registries, and the work below is a few dozen
small objects. The analysis itself is in `boundary.integrations.checkov`.

Only `BaseResourceCheck` for `cloudformation` and `terraform` (with its `run` and
`scan_resource_conf` methods) and `BaseProviderCheck` (`scan_provider_conf`) are
used: the API every Checkov custom-check example since 1.0 is written against. Checkov's own graph (and its Python graph-check
registry, which is internal) is not used: boundary builds its own per file.
"""

from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as _CfnCheck
from checkov.common.bridgecrew.severities import BcSeverities, Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck as _ProviderCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as _TfCheck

from boundary.integrations.checkov import Placed, analysis, check_id, locate
from boundary.rules import RuleMeta, docs_url, registry

_SEVERITY = {
    "critical": BcSeverities.CRITICAL,
    "high": BcSeverities.HIGH,
    "medium": BcSeverities.MEDIUM,
    "low": BcSeverities.LOW,
    "info": BcSeverities.INFO,
}

_CATEGORY = {
    "unauthenticated-endpoint": CheckCategories.API_SECURITY,
    "public-invoke-permission": CheckCategories.API_SECURITY,
    "long-term-credentials": CheckCategories.SECRETS,
}


class _Boundary:
    """What the two frameworks' checks share: look the answer up in the file's analysis."""

    meta: RuleMeta
    details: list[str]
    severity: Any  # Checkov's Severity; BaseCheck declares it None until the platform fills it
    _where: tuple[str | None, str] = (None, "")
    _suppressed: str | None = None

    def _setup(self, meta: RuleMeta) -> None:
        self.meta = meta
        self.severity = Severities[_SEVERITY[meta.severity.value]]

    def _verdict(self, path: str | None, resource: str) -> CheckResult:
        self._suppressed = None
        if path is None:
            return CheckResult.UNKNOWN
        result = analysis(path)
        if result.errors:
            return CheckResult.UNKNOWN
        found: tuple[Placed, ...] = result.on(self.meta.id, resource)
        if not found:
            return CheckResult.PASSED
        active = [p for p in found if p.suppressed is None]
        self.details.extend(p.detail() for p in (active or found))
        if active:
            return CheckResult.FAILED
        self._suppressed = "; ".join(sorted({str(p.suppressed) for p in found}))
        return CheckResult.SKIPPED

    def _finish(self, check_result: Any) -> Any:
        if check_result.get("result") == CheckResult.SKIPPED and self._suppressed is not None:
            check_result["suppress_comment"] = self._suppressed
        return check_result


class BoundaryCfnCheck(_Boundary, _CfnCheck):
    def __init__(self, meta: RuleMeta) -> None:
        super().__init__(
            name=meta.title,
            id=check_id(meta.id),
            categories=[_CATEGORY.get(meta.category.value, CheckCategories.IAM)],
            supported_resources=list(meta.resource_types.get("cloudformation", ())),
            guideline=docs_url(meta.id),
        )
        self._setup(meta)

    def run(
        self,
        scanned_file: str,
        entity_configuration: dict[str, Any],
        entity_name: str,
        entity_type: str,
        skip_info: Any,
    ) -> Any:
        self._where = (None if skip_info else locate(scanned_file), entity_name)
        return self._finish(
            super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        path, resource = self._where
        return self._verdict(path, resource)


class BoundaryTfCheck(_Boundary, _TfCheck):
    """Runs in Checkov's `terraform_plan` framework (the plan, read with the `.tf` sources
    beside it) and in `terraform` (`.tf` sources: the configuration of the file's folder,
    scanned without a plan). A resource of a module instance in `terraform` answers
    UNKNOWN (not reported): boundary judges a module with its caller's inputs, which a
    look at the module's own folder does not have."""

    def __init__(self, meta: RuleMeta) -> None:
        super().__init__(
            name=meta.title,
            id=check_id(meta.id),
            categories=[_CATEGORY.get(meta.category.value, CheckCategories.IAM)],
            supported_resources=_resource_types(meta),
            guideline=docs_url(meta.id),
        )
        self._setup(meta)

    def run(
        self,
        scanned_file: str,
        entity_configuration: dict[str, Any],
        entity_name: str,
        entity_type: str,
        skip_info: Any,
    ) -> Any:
        address = str(entity_configuration.get("__address__") or f"{entity_type}.{entity_name}")
        self._where = (_terraform_path(scanned_file, entity_configuration, address, skip_info), address)
        return self._finish(
            super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        path, resource = self._where
        return self._verdict(path, resource)


class BoundaryTfProviderCheck(_Boundary, _ProviderCheck):
    """A provider block (`provider.aws`, `provider.aws.west` in boundary's findings), in
    both Terraform frameworks: literal keys in it are long-term credentials."""

    def __init__(self, meta: RuleMeta) -> None:
        super().__init__(
            name=meta.title,
            id=check_id(meta.id),
            categories=[_CATEGORY.get(meta.category.value, CheckCategories.IAM)],
            supported_provider=_providers(meta),
            guideline=docs_url(meta.id),
        )
        self._setup(meta)

    def run(
        self,
        scanned_file: str,
        entity_configuration: dict[str, Any],
        entity_name: str,
        entity_type: str,
        skip_info: Any,
    ) -> Any:
        alias = entity_configuration.get("alias")
        alias = alias[0] if isinstance(alias, list) and alias else alias
        name = f"provider.{entity_name}"
        if isinstance(alias, str) and alias and alias != "default":  # the plan's name for no alias
            name += f".{alias}"
        self._where = (_terraform_path(scanned_file, entity_configuration, name, skip_info), name)
        return self._finish(
            super().run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)
        )

    def scan_provider_conf(self, conf: dict[str, Any]) -> CheckResult:
        path, resource = self._where
        return self._verdict(path, resource)


def _terraform_path(scanned_file: str, conf: dict[str, Any], address: str, skip_info: Any) -> str | None:
    """The file to analyse for a Terraform entity; None (UNKNOWN) where boundary has no answer."""
    if skip_info:
        return None
    if scanned_file.endswith(".json"):
        return locate(scanned_file, conf.get("__file__"))
    if scanned_file.endswith(".tf") and not address.startswith("module."):
        return locate(scanned_file)
    return None


def _resource_types(meta: RuleMeta) -> list[str]:
    return [t for t in meta.resource_types.get("terraform", ()) if not t.startswith("provider.")]


def _providers(meta: RuleMeta) -> list[str]:
    return [
        t.removeprefix("provider.")
        for t in meta.resource_types.get("terraform", ())
        if t.startswith("provider.")
    ]


for _meta in registry():
    if _meta.resource_types.get("cloudformation"):
        BoundaryCfnCheck(_meta)
    if _resource_types(_meta):
        BoundaryTfCheck(_meta)
    if _providers(_meta):
        BoundaryTfProviderCheck(_meta)
