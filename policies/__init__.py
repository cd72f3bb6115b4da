"""The built-in rule pack: one rule per file, registered in this one explicit table.

Ids are stable and never reused: a retired rule keeps its id out of use.
"""

from __future__ import annotations

from boundary.policies.admin_access import AdminAccess
from boundary.policies.broad_trust_policy import BroadTrustPolicy
from boundary.policies.internet_reachable_data_write import InternetReachableDataWrite
from boundary.policies.invalid_policy import InvalidPolicy
from boundary.policies.long_term_credentials import LongTermCredentials
from boundary.policies.multi_purpose_function import MultiPurposeFunction
from boundary.policies.privilege_escalation import PrivilegeEscalation
from boundary.policies.public_invoke_permission import PublicInvokePermission
from boundary.policies.resource_type_mismatch import ResourceTypeMismatch
from boundary.policies.service_endpoint_without_iam_auth import ServiceEndpointWithoutIamAuth
from boundary.policies.shared_execution_role import SharedExecutionRole
from boundary.policies.unauthenticated_endpoint import UnauthenticatedEndpoint
from boundary.policies.unknown_managed_policy import UnknownManagedPolicy
from boundary.policies.unreferenced_resource_grant import UnreferencedResourceGrant
from boundary.policies.unscoped_service_invoke import UnscopedServiceInvoke
from boundary.policies.unused_permission import UnusedPermission
from boundary.policies.wildcard_action import WildcardAction
from boundary.policies.wildcard_resource import WildcardResource

from boundary.rules import Rule

__all__ = ["RULES"]

RULES: tuple[type[Rule], ...] = (
    SharedExecutionRole,  # BND101
    MultiPurposeFunction,  # BND102
    WildcardAction,  # BND103
    WildcardResource,  # BND104
    AdminAccess,  # BND105
    PrivilegeEscalation,  # BND106
    UnreferencedResourceGrant,  # BND107
    ResourceTypeMismatch,  # BND108
    UnauthenticatedEndpoint,  # BND109
    PublicInvokePermission,  # BND110
    LongTermCredentials,  # BND111
    BroadTrustPolicy,  # BND112
    ServiceEndpointWithoutIamAuth,  # BND113
    UnscopedServiceInvoke,  # BND114
    InvalidPolicy,  # BND115
    UnknownManagedPolicy,  # BND116
    InternetReachableDataWrite,  # BND117
    UnusedPermission,  # BND118
)
