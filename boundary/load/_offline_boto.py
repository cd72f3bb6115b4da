"""Import the SAM translator without boto3, and without its schema models until used.

The translator imports boto3 and botocore at module level (sessions, clients,
exception classes), but `boundary.load.sam` runs it offline: the region comes
from a stand-in session, Serverless Application Repository lookups and feature
toggles never reach AWS. Importing them anyway costs each process that expands a
SAM template about 0.1 s and 12 MB (each pool worker pays it again).

`without_boto3()` puts small stand-ins for the names the translator imports into
`sys.modules` while it is imported, and takes them out again, so any later
`import boto3` gets the real package. Each stand-in that can be called imports
the real package then and forwards to it: a path of the translator that does
talk to AWS behaves as before, only paying the import then.

`lazy_schemas()` makes the translator's pydantic models of SAM properties load on
first use (`importlib.util.LazyLoader`): most templates never need them.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["lazy_schemas", "without_boto3"]


def _forwarding(module: str, name: str) -> type:
    """A class standing for `module.name`: making one makes the real one."""

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return type(name, (), {"__new__": new, "__module__": module})


def _stand_ins() -> dict[str, types.ModuleType]:
    def module(name: str, **names: Any) -> types.ModuleType:
        stand_in = types.ModuleType(name)
        stand_in.__dict__.update(names)

        def missing(attribute: str) -> Any:  # any other name: the real package's, imported then
            real = importlib.import_module(name)
            if real is stand_in:  # still importing the translator
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            return getattr(real, attribute)

        stand_in.__getattr__ = missing  # type: ignore[method-assign]
        return stand_in

    session = module("boto3.session", Session=_forwarding("boto3.session", "Session"))
    return {
        "boto3": module(
            "boto3",
            Session=_forwarding("boto3", "Session"),
            client=lambda *args, **kwargs: importlib.import_module("boto3").client(*args, **kwargs),
            session=session,
        ),
        "boto3.session": session,
        "botocore": module("botocore"),
        "botocore.client": module("botocore.client", BaseClient=_forwarding("botocore.client", "BaseClient")),
        "botocore.config": module("botocore.config", Config=_forwarding("botocore.config", "Config")),
        # caught, never raised, on the offline paths (a stand-in never raises them)
        "botocore.exceptions": module(
            "botocore.exceptions",
            ClientError=type("ClientError", (Exception,), {"__module__": "botocore.exceptions"}),
            EndpointConnectionError=type(
                "EndpointConnectionError", (Exception,), {"__module__": "botocore.exceptions"}
            ),
        ),
    }


@contextmanager
def without_boto3() -> Iterator[None]:
    """While inside, `import boto3` (and the botocore modules the translator names) give
    stand-ins; nothing changes when either package is already imported."""
    if "boto3" in sys.modules or "botocore" in sys.modules:
        yield
        return
    stand_ins = _stand_ins()
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


# The translator's pydantic models of SAM resource properties, imported by `sam_resources`
# at module level and read only when a template has a resource they describe (a capacity
# provider, a function's capacity provider settings, a MicroVM image, a network
# connector): about 0.1 s of every process's import of the translator. (The GraphQL API's
# module is not among them: an annotation in `sam_resources` reads it at import.)
_SCHEMA_PACKAGE = "samtranslator.internal.schema_source"
_LAZY_SCHEMAS = (
    "aws_serverless_capacity_provider",
    "aws_serverless_function",
    "aws_serverless_microvmimage",
    "aws_serverless_networkconnector",
)


@contextmanager
def lazy_schemas() -> Iterator[None]:
    """While inside, importing the translator's schema modules gives modules that run
    their code on first use (`importlib.util.LazyLoader`); they stay so afterwards, and
    a module missing from the installed translator is imported as usual."""
    import importlib.util

    try:
        package = importlib.import_module(_SCHEMA_PACKAGE)
        for name in _LAZY_SCHEMAS:
            full = f"{_SCHEMA_PACKAGE}.{name}"
            if full in sys.modules:
                continue
            spec = importlib.util.find_spec(full)
            if spec is None or spec.loader is None:
                continue
            spec.loader = importlib.util.LazyLoader(spec.loader)
            module = importlib.util.module_from_spec(spec)
            sys.modules[full] = module
            spec.loader.exec_module(module)  # runs nothing yet: the first attribute read does
            setattr(package, name, module)
    except ImportError:
        pass
    yield
