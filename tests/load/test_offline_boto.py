"""The SAM translator is imported without boto3, and boto3 stays the real one afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_expanding_sam_imports_neither_boto3_nor_botocore() -> None:
    code = (
        "import json, sys\n"
        "from boundary.load import load\n"
        "model = load(['samples/sam'])\n"
        "print(json.dumps({'templates': len(model.templates),\n"
        "    'loaded': sorted(n for n in sys.modules if n.split('.')[0] in ('boto3', 'botocore'))}))\n"
    )
    result = _run(code)
    assert result["templates"]
    assert result["loaded"] == []


def test_boto3_imported_afterwards_is_the_real_package() -> None:
    pytest.importorskip("boto3")
    code = (
        "import json\n"
        "import boundary.load.sam\n"
        "import boto3, botocore.exceptions\n"
        "from samtranslator.translator.arn_generator import ArnGenerator\n"
        "print(json.dumps({'file': boto3.__file__ or '', 'error': botocore.exceptions.ClientError.__mro__[1].__name__, 'stand_in': botocore.exceptions.__file__ is None,\n"
        "    'session': type(boto3.session.Session(region_name='eu-west-1')).__module__}))\n"
    )
    result = _run(code)
    assert str(result["file"]).endswith("__init__.py")
    assert result["error"] == "Exception"  # the real ClientError, not the stand-in's class
    assert result["stand_in"] is False
    assert result["session"] == "boto3.session"


def test_a_stand_in_forwards_to_the_real_package() -> None:
    """A translator path that does call boto3 (none does offline) gets the real thing."""
    pytest.importorskip("boto3")
    code = (
        "import json\n"
        "import boundary.load.sam\n"
        "from samtranslator.translator import translator\n"
        "session = translator.Session(region_name='eu-west-1')\n"
        "print(json.dumps({'module': type(session).__module__, 'region': session.region_name}))\n"
    )
    assert _run(code) == {"module": "boto3.session", "region": "eu-west-1"}


GRAPHQL = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      SchemaInline: "type Query { hello: String }"
      Auth:
        Type: AWS_IAM
"""


def test_the_schema_models_load_when_first_used() -> None:
    """`lazy_schemas`: importing the translator runs none of the schema modules it lists;
    the first attribute read runs one (as a template that needs it does)."""
    code = (
        "import json, sys\n"
        "import boundary.load.sam\n"
        "from boundary.load._offline_boto import _LAZY_SCHEMAS, _SCHEMA_PACKAGE\n"
        "modules = [sys.modules[f'{_SCHEMA_PACKAGE}.{n}'] for n in _LAZY_SCHEMAS]\n"
        "before = [type(m).__name__ for m in modules]\n"
        "has = hasattr(modules[1], 'CapacityProviderConfig')\n"
        "print(json.dumps({'before': before, 'has': has, 'after': type(modules[1]).__name__}))\n"
    )
    result = _run(code)
    assert result["before"] == ["_LazyModule"] * 4
    assert result["has"] is True
    assert result["after"] == "module"


def test_a_graphql_api_expands(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(GRAPHQL, encoding="utf-8")
    from boundary.load import load

    model = load([str(tmp_path)])
    assert model.errors == ()
    assert "AWS::AppSync::GraphQLApi" in {r.type for t in model.templates for r in t.resources.values()}
