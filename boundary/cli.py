"""The `boundary` command line.

Start-up matters (pre-commit runs it on every commit), so this module imports
only typer and click at the top: the pipeline, rich rendering, the rule
catalog and the report formats are imported inside the commands that use them.
The choices offered for `--fail-on`, `--severity` and `--category` are spelled
out here for the same reason; a test checks they match the enums. For the same
reason again, no `from __future__ import annotations`: typer reads the signature
of every command on each run, and string annotations cost it an `eval` each
(about 400, 10-20 ms); names imported only for type checking are quoted.

Exit codes (docs/output.md): 0 nothing at or above the threshold, 1 findings,
2 usage errors and files that could not be loaded, 3 an internal error.
Whatever goes wrong, the user sees one line, never a traceback
(`BOUNDARY_DEBUG=1` shows it).
"""

import difflib
import enum
import gc
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from boundary.findings import Category, Finding, Severity
from boundary.model import PolicyKind
from boundary.report import FORMATS

if TYPE_CHECKING:
    from boundary.model import LoadError, Template
    from boundary.report import ReportOptions

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "app", "main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3


# The finding and model enums are light modules (no rule machinery, no networkx), so
# `--help` and `--version` can offer their values as choices directly.
class RulesFormat(str, enum.Enum):
    TABLE = "table"
    JSON = "json"


class PolicyFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


DEFAULT_FAIL_ON = Severity.LOW
BLOCKING_POLICY_ISSUES = frozenset({"error", "security-warning"})

app = typer.Typer(
    name="boundary",
    help=(
        "Find broken security boundaries in serverless applications (AWS SAM, CloudFormation, "
        "Terraform plans) before deploy."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


# An error line is cut here, whatever made it long (a hostile value, a path).
STDERR_WIDTH = 1000


def _stderr(line: str) -> None:
    """One line on stderr: control characters visible (a newline in a file name must not
    start a line of its own: GitHub's runner reads workflow commands from stderr), cut
    to `STDERR_WIDTH`."""
    from boundary.report import visible

    line = visible(line)
    if len(line) > STDERR_WIDTH:
        line = line[: STDERR_WIDTH - 1] + "…"
    typer.echo(line, err=True)


def _fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    _stderr(f"error: {_one_line(message)}")
    raise typer.Exit(code)


def _version_callback(value: bool) -> None:
    if value:
        from boundary import __version__

        typer.echo(f"boundary {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version_callback, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Find broken security boundaries in serverless applications before deploy.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage errors or files
    that could not be loaded, 3 internal error.
    """


# ---------------------------------------------------------------------- scan


@dataclass(frozen=True, slots=True)
class _Result:
    """A scan result as reported: baseline matches removed, missing paths added as errors."""

    findings: tuple[Finding, ...] = ()
    errors: "tuple[LoadError, ...]" = ()
    files: tuple[str, ...] = ()
    templates: "tuple[Template, ...]" = ()


def _split_formats(values: Sequence[str] | None) -> list[str]:
    chosen: list[str] = []
    for value in values or ["text"]:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in FORMATS:
                raise typer.BadParameter(
                    f"unknown format {name!r}; choose from {', '.join(FORMATS)}", param_hint="'--format'"
                )
            if name not in chosen:
                chosen.append(name)
    return chosen or ["text"]


def _parse_params(values: Sequence[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for value in values or []:
        key, sep, val = value.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint="'--param'")
        params[key.strip()] = val
    return params


def _unknown_parameters(params: Mapping[str, str], templates: "Sequence[Template]") -> bool:
    """Say on stderr which `--param` names no loaded template declares (a typo must not
    pass silently: the default value would be scanned instead); whether any."""
    declared = sorted({str(name) for template in templates for name in template.parameters})
    unknown = [name for name in params if name not in declared]
    for name in unknown:
        close = difflib.get_close_matches(name, declared, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        listed = f" (declared: {', '.join(declared[:10])}{', ...' if len(declared) > 10 else ''})"
        _stderr(
            f"error: --param {_one_line(name)}: no template scanned declares a parameter of this name"
            + (hint or (listed if declared else ""))
        )
    return bool(unknown)


def _progress_wanted(no_progress: bool, quiet: bool) -> bool:
    if no_progress or quiet or os.environ.get("CI"):
        return False
    return sys.stderr.isatty()


class _ProgressBar:
    """A rich progress bar on stderr, fed by `analyze(progress=...)`."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("scanning", total=None)

    def start(self) -> None:
        self._progress.start()

    def stop(self) -> None:
        self._progress.stop()

    def __call__(self, file: str, index: int, total: int) -> None:
        from rich.markup import escape

        from boundary.report import visible

        self._progress.update(self._task, description=escape(visible(file)), completed=index, total=total)


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def _write(path: Path, text: str) -> None:
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")


def _parse_limits(values: Sequence[str] | None) -> dict[str, int]:
    """`--limit NAME=N` (repeatable), checked against the known limit names."""
    from boundary.model import LIMIT_NAMES

    limits: dict[str, int] = {}
    for item in values or ():
        name, sep, number = item.partition("=")
        name = name.strip()
        if not sep or name not in LIMIT_NAMES or not number.strip().isdigit() or int(number) < 1:
            raise typer.BadParameter(
                f"expected NAME=N with N a whole number of at least 1 and NAME one of "
                f"{', '.join(LIMIT_NAMES)}, got {item!r}",
                param_hint="'--limit'",
            )
        limits[name] = int(number)
    return limits


ParamOption = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="KEY=VALUE",
        help="Set a template parameter (overrides defaults). Repeatable.",
    ),
]
# A region's shape (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`): catches what is not
# a region name at all; a list of regions would go stale as AWS adds them.
_REGION = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")


def _check_region(value: str) -> str:
    if not _REGION.fullmatch(value):
        raise typer.BadParameter(f"expected a region name such as eu-west-1, got {value!r}")
    return value


def _check_account(value: str) -> str:
    if not re.fullmatch(r"[0-9]{12}", value):
        raise typer.BadParameter(f"expected a 12-digit account id, got {value!r}")
    return value


RegionOption = Annotated[
    str,
    typer.Option(
        "--region",
        metavar="REGION",
        callback=_check_region,
        help="Region the stack deploys to (AWS::Region, ARNs).",
    ),
]
AccountOption = Annotated[
    str,
    typer.Option(
        "--account",
        metavar="ID",
        callback=_check_account,
        help="Account the stack deploys to (AWS::AccountId, ARNs); a placeholder by default.",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        dir_okay=False,
        help="Configuration file. Default: .boundary.toml or [tool.boundary] in pyproject.toml, "
        "searched from the current directory upwards.",
    ),
]
IsolatedOption = Annotated[
    bool,
    typer.Option("--isolated", help="Ignore every configuration file (built-in defaults only)."),
]
RulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        metavar="DIR",
        file_okay=False,
        help="Load user rules from DIR (runs the Python in it). Repeatable.",
    ),
]
AllowConfigRulesOption = Annotated[
    bool,
    typer.Option(
        "--allow-config-rules",
        help="Load the rule folders the configuration file names (`policies`); they run as Python. "
        "Off by default: a scanned repository's configuration must not run code (docs/security.md).",
    ),
]


@dataclass(frozen=True, slots=True)
class _Rules:
    """The configuration in force and the rule classes it selects from."""

    config: Any
    classes: tuple[Any, ...]

    @property
    def metas(self) -> tuple[Any, ...]:
        return tuple(cls.meta for cls in self.classes)


def _load_rules(
    config_file: Path | None, isolated: bool, rule_folders: Sequence[Path] | None, allow_config_rules: bool
) -> _Rules:
    """The configuration and rules; says once on stderr which configured rule folders stay unloaded."""
    import boundary
    from boundary.config import Config, ConfigError
    from boundary.rules import RuleError, rule_classes, withheld_message, withheld_rule_folders

    if isolated and config_file is not None:
        raise typer.BadParameter(
            "--isolated ignores every configuration file; it cannot be used with --config",
            param_hint="'--isolated'",
        )
    try:
        config = Config() if isolated else boundary.load_config(config_file, start=Path.cwd())
        withheld = withheld_rule_folders(config, allow_config_rules)
        if withheld:
            _stderr(f"warning: {_one_line(withheld_message(withheld, config))}")
        # user rules load and the configuration names only real rules
        classes = rule_classes(config, rule_folders=rule_folders or (), allow_config_rules=allow_config_rules)
    except (ConfigError, RuleError) as exc:
        _fail(str(exc))
    return _Rules(config, classes)


def _unreachable(path: str) -> str | None:
    """Why a path named on the command line cannot be scanned, or None."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return "no such file or directory"
    except OSError as error:  # a folder on the way that cannot be read, a loop of links
        return f"cannot read: {error.strerror or error}"
    return None


def _reachable(paths: Sequence[str]) -> "tuple[list[str], tuple[LoadError, ...]]":
    """The paths named on the command line that exist, and one error (the path alone, no
    position) for each that does not. Every command that reads templates uses this."""
    from boundary.model import LoadError

    present: list[str] = []
    missing: list[LoadError] = []
    for path in paths:
        problem = _unreachable(path)
        if problem is None:
            present.append(path)
        else:
            missing.append(LoadError(path, 0, 0, problem))
    return present, tuple(missing)


def _cpu_count() -> int:
    """The CPUs this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _default_cache_dir() -> Path:
    from boundary.load import default_cache_dir

    return default_cache_dir()


def _run_analysis(
    paths: Sequence[str],
    rules: _Rules,
    rule_folders: Sequence[Path],
    allow_config_rules: bool,
    params: Mapping[str, str],
    exclude: Sequence[str],
    show_progress: bool,
    region: str,
    account: str,
    limits: Mapping[str, int] | None = None,
    tf_dir: Path | None = None,
    *,
    jobs: int = 1,
    cache_dir: Path | None = None,
) -> _Result:
    import warnings

    import boundary
    from boundary.load import LoadOptions
    from boundary.rules import UntrustedRulesWarning

    config_limits = rules.config.limits
    chosen_limits = config_limits.replace(**limits) if limits else config_limits
    present, missing = _reachable(paths)
    if not present:
        return _Result(errors=missing)
    bar = _ProgressBar() if show_progress else None
    if bar is not None:
        bar.start()
    try:
        with warnings.catch_warnings():
            # _load_rules already said it, once
            warnings.simplefilter("ignore", UntrustedRulesWarning)
            # The rules _load_rules loaded (once) are the ones the scan runs; the load
            # options travel as one object.
            result = boundary.analyze(
                present,
                config=rules.config,
                options=LoadOptions(parameters=params, region=region, account=account, limits=chosen_limits),
                exclude=exclude,
                progress=bar,
                rules=rules.classes,
                tf_dir=tf_dir,
                jobs=jobs,
                cache_dir=cache_dir,
                whole_templates=False,  # reports read source lines, notes, parameters only
            )
    finally:
        if bar is not None:
            bar.stop()
    return _Result(
        findings=tuple(result.findings),
        errors=missing + tuple(result.errors),
        files=tuple(result.files),
        templates=tuple(result.templates),
    )


@app.command()
def scan(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Templates, plans or directories to scan (directories are walked). Default: the current directory.",
            show_default=False,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", metavar="GLOB", help="Skip paths matching GLOB while walking. Repeatable."),
    ] = None,
    param: ParamOption = None,
    region: RegionOption = "us-east-1",
    account: AccountOption = "123456789012",
    tf_dir: Annotated[
        Path | None,
        typer.Option(
            "--tf-dir",
            metavar="DIR",
            file_okay=False,
            help="The Terraform configuration (.tf files) the scanned plans came from, to report "
            "findings at .tf lines and judge policies the plan leaves unknown. Default: the plan's folder.",
        ),
    ] = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    rule_folders: RulesOption = None,
    allow_config_rules: AllowConfigRulesOption = False,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT[,FORMAT]",
            help=f"Output format(s): {', '.join(FORMATS)}. Comma-separated or repeated. Default: text.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", dir_okay=False, help="Write the (single) format to FILE."
        ),
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            metavar="DIR",
            file_okay=False,
            help="Write each format to DIR/boundary.<ext> (.txt .json .sarif .xml .md); "
            "github annotations still go to stdout.",
        ),
    ] = None,
    fail_on: Annotated[
        Severity,
        typer.Option(
            "--fail-on",
            case_sensitive=False,
            help="Exit 1 when an unsuppressed deny finding has this severity or worse.",
        ),
    ] = DEFAULT_FAIL_ON,
    soft_fail: Annotated[
        bool,
        typer.Option(
            "--soft-fail", help="Exit 0 even with findings. Files that could not be loaded still exit 2."
        ),
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            dir_okay=False,
            help="Report only findings whose fingerprint is not in FILE.",
        ),
    ] = None,
    create_baseline: Annotated[
        Path | None,
        typer.Option(
            "--create-baseline",
            metavar="FILE",
            dir_okay=False,
            help="Write the fingerprints of the current findings to FILE; findings then do not fail the run.",
        ),
    ] = None,
    no_progress: Annotated[
        bool,
        typer.Option(
            "--no-progress",
            help="No progress bar (it is off anyway when stderr is not a terminal or CI is set).",
        ),
    ] = False,
    limit: Annotated[
        list[str] | None,
        typer.Option(
            "--limit",
            metavar="NAME=N",
            help="Change a per-file limit (max-file-size, max-nodes, max-depth, max-resources, "
            "max-statements, max-actions, max-work); see docs/security.md. Repeatable.",
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Text format: one line per finding, no code frames, nothing when clean; no progress.",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Load and judge files in up to N processes (1: all in this process; fewer when the files "
            "would be done faster here than a pool starts). Output is the same whatever N is. Default: the "
            "number of CPUs.",
            show_default=False,
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            file_okay=False,
            help="Cache loaded files in DIR. Default: $BOUNDARY_CACHE_DIR, else the user's cache "
            "folder (~/.cache/boundary on Linux).",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Neither read nor write the cache of loaded files."),
    ] = False,
) -> None:
    """Scan SAM/CloudFormation templates, Terraform plan JSON and Terraform configurations
    (folders of .tf files) for broken security boundaries."""
    chosen = _split_formats(formats)
    if output is not None and output_dir is not None:
        raise typer.BadParameter("use either --output or --output-dir, not both", param_hint="'--output'")
    if output is not None and len(chosen) > 1:
        raise typer.BadParameter(
            "--output takes one format; use --output-dir for several", param_hint="'--output'"
        )
    if output is not None and chosen == ["github"]:
        raise typer.BadParameter("github annotations are written to stdout only", param_hint="'--output'")
    to_stdout = [f for f in chosen if output_dir is None or f == "github"] if output is None else []
    if len(to_stdout) > 1:
        raise typer.BadParameter(
            "several formats need --output-dir (only github annotations share stdout)",
            param_hint="'--format'",
        )
    params = _parse_params(param)
    limits = _parse_limits(limit)

    from boundary.findings import Decision
    from boundary.report import EXTENSIONS, ReportOptions, render
    from boundary.report.baseline import BaselineError, apply_baseline, dump_baseline, read_baseline

    known: frozenset[str] = frozenset()
    if baseline is not None:
        try:
            known = read_baseline(baseline)
        except BaselineError as exc:
            _stderr(str(exc))
            raise typer.Exit(EXIT_ERROR) from None

    rules = _load_rules(config, isolated, rule_folders, allow_config_rules)
    result = _run_analysis(
        paths or ["."],
        rules,
        rule_folders or [],
        allow_config_rules,
        params,
        exclude or [],
        _progress_wanted(no_progress, quiet),
        region,
        account,
        limits,
        tf_dir,
        jobs=jobs if jobs is not None else _cpu_count(),
        cache_dir=None if no_cache else (cache_dir or _default_cache_dir()),
    )
    if not result.files and not result.errors:
        # Pointing a CI job at the wrong folder must not pass as "0 findings".
        _fail(
            f"no SAM template, CloudFormation template or Terraform plan found in "
            f"{', '.join(paths or ['.'])} (for Terraform, scan a folder of .tf files or the JSON of "
            "`terraform show -json PLANFILE`)"
        )
    if create_baseline is not None:
        _write(create_baseline, dump_baseline(result.findings))
    kept = apply_baseline(result.findings, known)
    reported = _Result(kept.findings, result.errors, result.files, result.templates)

    for error in reported.errors:
        _stderr(str(error))
    if not quiet:
        for note in dict.fromkeys(n for t in reported.templates for n in t.notes):
            _stderr(f"note: {note}")
    bad_names = _unknown_parameters(params, result.templates)

    base = ReportOptions(root=os.getcwd(), baselined=kept.hidden, compact=quiet, rules=rules.metas)
    for fmt in chosen:
        if fmt in to_stdout:
            tty = _stdout_is_tty()
            options = _options(base, fmt, tty=tty, to_stdout=True)
            typer.echo(render(fmt, reported, options), nl=False)
        elif output is not None:
            _write(output, render(fmt, reported, _options(base, fmt, tty=False, to_stdout=False)))
        elif output_dir is not None:
            _write(
                output_dir / f"boundary.{EXTENSIONS[fmt]}",
                render(fmt, reported, _options(base, fmt, tty=False, to_stdout=False)),
            )
    if not to_stdout and not quiet:
        from boundary.report import summarize

        _stderr(f"boundary: {summarize(reported, base).line()}")

    threshold = fail_on
    failing = [
        f
        for f in reported.findings
        if not f.suppressed and f.decision is Decision.DENY and f.severity.rank >= threshold.rank
    ]
    if bad_names or any(error.is_error for error in reported.errors):
        raise typer.Exit(EXIT_ERROR)
    if failing and not soft_fail and create_baseline is None:
        raise typer.Exit(EXIT_FINDINGS)


def _options(base: "ReportOptions", fmt: str, *, tty: bool, to_stdout: bool) -> "ReportOptions":
    from dataclasses import replace

    if fmt != "text":
        return base
    color = tty and "NO_COLOR" not in os.environ
    width, frame_width = 100, 200
    if tty:
        import shutil

        width = frame_width = shutil.get_terminal_size((100, 24)).columns
    # load errors were already printed on stderr; a file gets them in the report
    return replace(base, color=color, width=width, frame_width=frame_width, include_errors=not to_stdout)


# --------------------------------------------------------------------- rules


def _print_rich(renderable: Any, *, width: int, unwrapped: Sequence[Any] = ()) -> None:
    """Rich output on a terminal; elsewhere plain, `width` wide, without the padding rich adds.

    `unwrapped` renderables follow, each printed with soft wrapping: rich neither folds
    nor crops them (a URL must stay whole to be copied or clicked; the terminal wraps it
    for the eye only)."""
    import io

    from rich.console import Console

    if _stdout_is_tty():
        console = Console(highlight=False)
        console.print(renderable)
        for item in unwrapped:
            console.print(item, soft_wrap=True)
        return
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, highlight=False, color_system=None, force_terminal=False)
    console.print(renderable)
    for item in unwrapped:
        console.print(item, soft_wrap=True)
    typer.echo("\n".join(line.rstrip() for line in buffer.getvalue().splitlines()))


def _rule_dict(rule: Any) -> dict[str, Any]:
    from boundary.rules import docs_url

    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": str(rule.severity),
        "category": str(rule.category),
        "decision": str(rule.decision),
        "description": rule.description,
        "remediation": rule.remediation,
        "references": list(rule.references),
        "practice": rule.practice,
        "help_uri": docs_url(rule.id) or None,
    }


@app.command("rules")
def rules_command(
    category: Annotated[
        Category | None,
        typer.Option("--category", help="Only rules of this category."),
    ] = None,
    severity: Annotated[
        Severity | None,
        typer.Option("--severity", case_sensitive=False, help="Only rules of this severity."),
    ] = None,
    fmt: Annotated[
        RulesFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = RulesFormat.TABLE,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    rule_folders: RulesOption = None,
    allow_config_rules: AllowConfigRulesOption = False,
) -> None:
    """List the rules: id, name, category, severity and title (user rules too, when loaded)."""
    rules = [
        r
        for r in _load_rules(config, isolated, rule_folders, allow_config_rules).metas
        if (category is None or str(r.category) == category.value)
        and (severity is None or str(r.severity) == severity.value)
    ]
    if fmt is RulesFormat.JSON:
        import json

        typer.echo(json.dumps([_rule_dict(r) for r in rules], indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    from boundary.report.text import SEVERITY_STYLES

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("ID", "Name", "Category", "Severity", "Title"):
        table.add_column(column, overflow="fold")
    for r in rules:
        table.add_row(
            r.id, r.name, str(r.category), f"[{SEVERITY_STYLES[r.severity]}]{r.severity}[/]", r.title
        )
    _print_rich(table, width=160)


# ------------------------------------------------------------------- explain


REFERENCES = "References"


def rule_markdown(rule: Any, *, sections: bool | Sequence[str] = True) -> str:
    """A rule's documentation as one Markdown text (also what `explain` renders);
    `sections` a list of section titles leaves the others out."""
    head = [
        f"# {rule.id} {rule.name}",
        "",
        f"**{rule.title}**",
        "",
        f"Severity: **{rule.severity}**, category: `{rule.category}`, decision: `{rule.decision}`",
        "",
    ]
    body = [
        f"## {title}\n\n{text.strip()}\n"
        for title, text in rule.docs.items()
        if text.strip() and (sections is True or (sections and title in sections))
    ]
    return "\n".join(head) + "\n".join(body)


def _reference_lines(rule: Any) -> list[Any]:
    """The References section as lines of their own: a heading, then one line per
    reference (a Markdown list item or a line of text), never wrapped by rich."""
    from rich.text import Text

    text = rule.docs.get(REFERENCES, "").strip()
    if not text:
        return []
    lines: list[Any] = [Text(""), Text(REFERENCES, style="markdown.h2"), Text("")]
    for line in text.splitlines():
        item = line.strip()
        if not item:
            continue
        if item[:2] in ("- ", "* "):
            item = item[2:].strip()
        # a Markdown link `[text](url)` or `<url>` shown as its text and URL
        item = re.sub(r"\[([^\]]*)\]\(([^)\s]+)\)", r"\1 \2", item)
        item = re.sub(r"<(https?://[^>\s]+)>", r"\1", item)
        lines.append(Text(f" • {item}"))
    return lines


@app.command()
def explain(
    rule: Annotated[
        str, typer.Argument(metavar="ID|NAME", help="A rule id (BND101) or name.", show_default=False)
    ],
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    rule_folders: RulesOption = None,
    allow_config_rules: AllowConfigRulesOption = False,
) -> None:
    """Show a rule's documentation: what it does, why it matters, examples, references."""
    from boundary.rules import find_rule

    meta = find_rule(rule, _load_rules(config, isolated, rule_folders, allow_config_rules).metas)
    if meta is None:
        _fail(f"unknown rule {rule!r}; `boundary rules` lists them")
    from rich.markdown import Markdown

    # Every section but the references through rich's Markdown; the references after it,
    # one unwrapped line each, so that no URL is split across lines (issue 11).
    others = [title for title in meta.docs if title != REFERENCES]
    _print_rich(Markdown(rule_markdown(meta, sections=others)), width=100, unwrapped=_reference_lines(meta))


# --------------------------------------------------------------- graph, paths


class GraphFormatName(str, enum.Enum):
    DOT = "dot"
    GRAPHML = "graphml"
    MERMAID = "mermaid"
    JSON = "json"
    HTML = "html"


class PathsFormat(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


_PathsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[PATH]...",
        help="Templates, plans or directories (directories are walked). Default: the current directory.",
        show_default=False,
    ),
]


def _load_graph(paths: Sequence[str], params: Mapping[str, str]) -> tuple[Any, Any, bool]:
    """The model and graph of `paths`, load errors printed; whether any file failed."""
    import boundary

    present, missing = _reachable(paths)
    for error in missing:
        _stderr(str(error))
    if not present:
        raise typer.Exit(EXIT_ERROR)
    model = boundary.load(present, parameters=params)
    for error in model.errors:
        _stderr(str(error))
    if not model.templates:
        if missing or any(error.is_error for error in model.errors):
            raise typer.Exit(EXIT_ERROR)  # each reason is already on stderr, one line each
        _fail(f"no SAM template, CloudFormation template or Terraform plan found in {', '.join(paths)}")
    bad_names = _unknown_parameters(params, model.templates)
    failed = bool(missing or bad_names or any(e.is_error for e in model.errors))
    return model, boundary.build_graph(model), failed


@app.command("graph")
def graph_command(
    paths: _PathsArgument = None,
    fmt: Annotated[
        GraphFormatName, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = GraphFormatName.HTML,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", dir_okay=False, help="Write to FILE instead of stdout."
        ),
    ] = None,
    focus: Annotated[
        str | None,
        typer.Option(
            "--focus",
            metavar="RESOURCE",
            help="Only RESOURCE (logical id, Terraform address or node id) and what is within --depth of it.",
        ),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth",
            min=0,
            metavar="N",
            help="Steps kept around --focus (default 2) or findings (default 1).",
        ),
    ] = None,
    only_findings: Annotated[
        bool,
        typer.Option(
            "--only-findings", help="Only the resources with findings and their neighbours (--depth)."
        ),
    ] = False,
    hide: Annotated[
        list[str] | None,
        typer.Option(
            "--hide",
            metavar="GROUP[,GROUP]",
            help="Leave out node groups: internet, endpoint, api, function, role, policy, data, principal, "
            "external, other. Repeatable.",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the HTML page or DOT graph.")] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", metavar="FILE", dir_okay=False, help="Configuration file (rules, suppressions)."
        ),
    ] = None,
    param: ParamOption = None,
) -> None:
    """Export the resource-permission graph: DOT, GraphML, Mermaid, JSON, or one interactive HTML file.

    Nodes are styled by kind, edges name their actions, and resources with findings are outlined.
    Exit 2 when a file could not be loaded (the others are still exported).
    """
    import boundary
    from boundary.config import ConfigError
    from boundary.export import ExportOptions, export_graph
    from boundary.graph.paths import NodeNotFound
    from boundary.rules import RuleError, evaluate, rule_classes

    groups = [g.strip() for value in hide or [] for g in value.split(",") if g.strip()]
    chosen = paths or ["."]
    try:
        settings = boundary.load_config(config, start=Path.cwd())
        classes = rule_classes(settings)
    except (ConfigError, RuleError) as exc:
        _fail(str(exc))
    model, graph, failed = _load_graph(chosen, _parse_params(param))
    findings = evaluate(graph, model, settings, classes)
    options = ExportOptions(
        findings=findings, focus=focus, depth=depth, only_findings=only_findings, hide=groups
    )
    try:
        text = export_graph(graph, fmt.value, options, title=title or f"boundary: {', '.join(chosen)}")
    except NodeNotFound as exc:
        raise typer.BadParameter(str(exc), param_hint="'--focus'") from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--hide'") from None
    if output is None:
        typer.echo(text, nl=False)
    else:
        _write(output, text)
    if failed:
        raise typer.Exit(EXIT_ERROR)


@app.command("paths")
def paths_command(
    paths: _PathsArgument = None,
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="internet|RESOURCE",
            help="Where paths start: anyone on the internet, or a resource.",
        ),
    ] = "internet",
    target: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="RESOURCE", help="Where paths end. Default: every data resource reached."
        ),
    ] = None,
    blast_radius: Annotated[
        str | None,
        typer.Option(
            "--blast-radius",
            metavar="FUNCTION",
            help="Everything FUNCTION's role can reach, with the actions.",
        ),
    ] = None,
    who_can_reach: Annotated[
        str | None,
        typer.Option("--who-can-reach", metavar="RESOURCE", help="Everything with a path to RESOURCE."),
    ] = None,
    fmt: Annotated[
        PathsFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = PathsFormat.TEXT,
    param: ParamOption = None,
) -> None:
    """Attack paths: from the internet (or a resource) through endpoints, functions, roles and grants.

    Paths follow invokes, executes-as and Allow grants; a grant on data counts when its actions fit
    the resource type. Exit 0 whatever is found, 2 for a name that matches no resource or a file
    that could not be loaded.
    """
    from boundary.graph.paths import NodeNotFound, find_node, paths_from
    from boundary.graph.paths import blast_radius as radius_of
    from boundary.graph.paths import who_can_reach as reaching

    if blast_radius is not None and who_can_reach is not None:
        raise typer.BadParameter(
            "use one of --blast-radius and --who-can-reach", param_hint="'--blast-radius'"
        )
    _, graph, failed = _load_graph(paths or ["."], _parse_params(param))
    try:
        if blast_radius is not None:
            found = radius_of(graph, find_node(graph, blast_radius))
        elif who_can_reach is not None:
            found = reaching(graph, find_node(graph, who_can_reach))
        else:
            start = (
                find_node(graph, source) if source.lower() != "internet" or "principal::*" in graph else None
            )
            end = find_node(graph, target) if target is not None else None
            found = paths_from(graph, start, to=end) if start is not None else []
    except NodeNotFound as exc:
        _fail(str(exc))
    if fmt is PathsFormat.JSON:
        import json

        typer.echo(json.dumps([_path_dict(graph, p) for p in found], indent=2, ensure_ascii=False))
    else:
        for line in _path_lines(graph, found):
            typer.echo(line)
    if failed:
        raise typer.Exit(EXIT_ERROR)


def _node_name(graph: Any, node: str) -> str:
    data = graph.nodes[node]
    if node == "principal::*":
        return "the internet"
    if data.get("endpoint"):
        api = data.get("api")
        if data.get("protocol") == "function-url":
            return f"function URL {data.get('resource') or data.get('label')}"
        return f"{data.get('label')}" + (f" on {api}" if api else "")
    if data.get("outside"):
        return str(data.get("label") or node)  # a role outside the template, not its policy
    return str(data.get("resource") or data.get("label") or node)


def _path_lines(graph: Any, found: Sequence[Any]) -> list[str]:
    from boundary.graph.paths import compact_actions
    from boundary.iam import catalog

    if not found:
        return ["no path"]
    lines = []
    for path in found:
        lines.append(" -> ".join(_node_name(graph, n) for n in path.nodes))
        by_level: dict[str, list[str]] = {}
        for action in path.actions:
            by_level.setdefault(catalog().access_level(action) or "other", []).append(action)
        for level in ("Write", "Permissions management", "Read", "List", "Tagging", "other"):
            if level in by_level:
                lines.append(f"    {level.lower()}: {compact_actions(by_level[level], limit=8)}")
    return lines


def _path_dict(graph: Any, path: Any) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": n, "name": _node_name(graph, n), "kind": graph.nodes[n].get("kind")} for n in path.nodes
        ],
        "steps": [
            {"source": s.source, "target": s.target, "kind": s.kind, "actions": list(s.actions)}
            for s in path.steps
        ],
        "actions": list(path.actions),
        "access": list(path.access),
        "writes": path.writes,
    }


# ----------------------------------------------------------- validate-policy


@app.command("validate-policy")
def validate_policy_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...", help="IAM policy documents (JSON).", show_default=False, dir_okay=False
        ),
    ],
    kind: Annotated[
        PolicyKind,
        typer.Option(
            "--kind",
            help="What the policy is: attached to an identity, a resource policy, or a role trust policy.",
        ),
    ] = PolicyKind.IDENTITY,
    fmt: Annotated[
        PolicyFormat, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = PolicyFormat.TEXT,
) -> None:
    """Check standalone IAM policy documents for errors and security warnings.

    Exit 1 when an issue is an error or a security warning, 2 when a file cannot be read or is not JSON.
    """
    import json

    import boundary
    from boundary.report import json_safe, visible

    unreadable = False
    blocking = False
    reports: list[dict[str, Any]] = []
    for path in files:
        document, error, warnings = _read_policy(path)
        if error is not None:
            _stderr(error)
            unreadable = True
            continue
        for warning in warnings:
            _stderr(warning)
        try:
            issues = boundary.validate_policy(document, kind=kind.value)
        except (ValueError, TypeError) as exc:
            _stderr(f"{path}:1:1: error: {_one_line(exc)}")
            unreadable = True
            continue
        for issue in issues:
            record = _issue_dict(path, issue)
            reports.append(record)
            blocking = blocking or record["severity"] in BLOCKING_POLICY_ISSUES
            if fmt is PolicyFormat.TEXT:
                typer.echo(visible(_issue_line(record)))
    if fmt is PolicyFormat.JSON:
        typer.echo(json_safe(json.dumps(reports, indent=2, ensure_ascii=False)))
    if unreadable:
        raise typer.Exit(EXIT_ERROR)
    if blocking:
        raise typer.Exit(EXIT_FINDINGS)


def _read_policy(path: Path) -> tuple[Any, str | None, list[str]]:
    """The policy with its statements' lines, or the one-line located error; and warnings."""
    from boundary.load import SourceError, read_policy

    try:
        document, warnings = read_policy(path)
    except SourceError as error:
        return None, str(error), []
    return document, None, [str(w) for w in warnings]


def _issue_dict(path: Path, issue: Any) -> dict[str, Any]:
    severity = getattr(issue.severity, "value", issue.severity)
    location = getattr(issue, "location", None)
    return {
        "file": str(path),
        "line": getattr(location, "line", 0) or 0,
        "column": getattr(location, "column", 0) or 0,
        "check": str(issue.check),
        "severity": str(severity),
        "message": _one_line(issue.message),
        "statement_index": issue.statement_index,
        "element": issue.element,
    }


def _issue_line(record: Mapping[str, Any]) -> str:
    where = str(record["file"])
    if record["line"]:
        where += f":{record['line']}:{record['column'] or 1}"
    context = ""
    index = record["statement_index"]
    if index is not None and f"Statement[{index}]" not in record["message"]:
        context = f" (Statement[{index}]"
        context += f".{record['element']})" if record["element"] else ")"
    return f"{where}: {record['severity']}: {record['check']}: {record['message']}{context}"


# --------------------------------------------------------------------- audit

_ACTIVITY_HELP = (
    "Access activity: CloudTrail log files or folders (.json, .json.gz, S3 layout), "
    "`aws cloudtrail lookup-events` output, IAM access advisor output, or the audit query's CSV. Repeatable."
)


def _role_map(values: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or []:
        key, sep, role = value.partition("=")
        if not sep or not key.strip() or not role.strip():
            raise typer.BadParameter(f"expected RESOURCE=ROLE, got {value!r}", param_hint="'--role-map'")
        out[key.strip()] = role.strip()
    return out


def _unknown_roles_mapped(activity: Any, result: Any) -> bool:
    """Say on stderr which `--role-map` names no template role; whether any (a typo would
    leave the role's activity unmatched, and every grant of it reported unused)."""
    roles = sorted({usage.resource.id for usage in result.usage})
    unknown = [name for name in activity.role_map if name not in roles]
    for name in unknown:
        close = difflib.get_close_matches(name, roles, n=1)
        hint = f"; did you mean {close[0]}?" if close else f" (roles: {', '.join(roles[:10]) or 'none'})"
        _stderr(f"error: --role-map {_one_line(name)}: no role of this name in the templates{hint}")
    return bool(unknown)


def _load_activity(
    activity: Sequence[str],
    since: str | None,
    until: str | None,
    role_map: Sequence[str] | None,
    stack: Sequence[str] | None,
) -> Any:
    from boundary.load.activity import ActivityError, load_activity

    mapping = _role_map(role_map)
    try:
        return load_activity(activity, since=since, until=until, role_map=mapping, stacks=tuple(stack or ()))
    except ActivityError as exc:
        raise typer.BadParameter(str(exc)) from None


def _run_audit(
    templates: Sequence[str],
    activity: Any,
    config_file: Path | None,
    params: Mapping[str, str],
    region: str,
    account: str,
) -> Any:
    import boundary
    from boundary.audit import audit
    from boundary.config import ConfigError
    from boundary.load import LoadOptions
    from boundary.rules import RuleError

    try:
        config = boundary.load_config(config_file, start=Path.cwd())
    except (ConfigError, RuleError) as exc:
        _fail(str(exc))
    from dataclasses import replace

    present, missing = _reachable(templates)
    if not present:
        for error in missing:
            _stderr(str(error))
        raise typer.Exit(EXIT_ERROR)
    options = LoadOptions(parameters=params, region=region, account=account)
    result = audit(present, activity, config=config, options=options)
    if not result.model.templates:
        for error in (*missing, *result.errors):
            _stderr(str(error))
        if missing or any(error.is_error for error in result.errors):
            raise typer.Exit(EXIT_ERROR)
        _fail(f"no SAM template, CloudFormation template or Terraform plan found in {', '.join(templates)}")
    return replace(result, errors=(*missing, *result.errors))


def _summary_text(result: Any) -> str:
    activity = result.model.activity
    lines = [
        f"activity: {activity.events} event(s) in the period from {len(activity.files)} file(s); "
        f"{activity.failed} failed call(s) (not use)"
    ]
    if activity.unmapped:
        names = ", ".join(f"{s}/{n}" for s, n in list(activity.unmapped)[:5])
        lines.append(f"events with no known IAM action: {sum(activity.unmapped.values())} ({names})")
    for usage in result.usage:
        if not usage.granted:
            continue
        if usage.never_used:
            lines.append(f"{usage.resource.id}: never used ({len(usage.granted)} action(s) granted)")
            continue
        if usage.used:
            lines.append(
                f"{usage.resource.id}: {len(usage.granted)} granted, {len(usage.used)} used, "
                f"{len(usage.unused)} unused; last used {usage.last_used}"
            )
        else:
            lines.append(
                f"{usage.resource.id}: {len(usage.granted)} granted, no call recorded; "
                f"last assumed {usage.assumed or 'never'}"
            )
        if usage.unused:
            lines.append(f"  unused: {', '.join(usage.unused)}")
        if usage.unused_services:
            lines.append(f"  services never called: {', '.join(usage.unused_services)}")
        if usage.unrecorded:
            lines.append(f"  not recorded by CloudTrail (kept): {', '.join(usage.unrecorded)}")
    return "\n".join(lines) + "\n"


@app.command("audit")
def audit_command(
    templates: Annotated[
        list[str],
        typer.Argument(
            metavar="TEMPLATE...", help="Templates or plans whose roles to audit.", show_default=False
        ),
    ],
    activity: Annotated[
        list[str],
        typer.Option("--activity", "-a", metavar="PATH", help=_ACTIVITY_HELP, show_default=False),
    ],
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Only activity at or after DATE (YYYY-MM-DD or ISO 8601, UTC)."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DATE", help="Only activity before DATE (YYYY-MM-DD or ISO 8601, UTC)."
        ),
    ] = None,
    role_map: Annotated[
        list[str] | None,
        typer.Option(
            "--role-map",
            metavar="RESOURCE=ROLE",
            help="The role name or ARN a template role (logical id or address) is deployed as. Repeatable.",
        ),
    ] = None,
    stack: Annotated[
        list[str] | None,
        typer.Option(
            "--stack",
            metavar="NAME",
            help="Only CloudFormation-generated role names of this stack count. Repeatable. Default: any stack.",
        ),
    ] = None,
    param: ParamOption = None,
    region: RegionOption = "us-east-1",
    account: AccountOption = "123456789012",
    config: Annotated[
        Path | None,
        typer.Option("--config", metavar="FILE", dir_okay=False, help="Configuration file (as for scan)."),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help=f"Output format: {', '.join(FORMATS)}."),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", dir_okay=False, help="Write the report to FILE."),
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option(
            "--summary",
            metavar="FILE",
            dir_okay=False,
            help="Write the per-role audit (granted, used, unused, last used) as JSON to FILE.",
        ),
    ] = None,
    fail_on: Annotated[
        Severity,
        typer.Option(
            "--fail-on", case_sensitive=False, help="Exit 1 when a finding has this severity or worse."
        ),
    ] = DEFAULT_FAIL_ON,
    soft_fail: Annotated[bool, typer.Option("--soft-fail", help="Exit 0 even with findings.")] = False,
) -> None:
    """Audit granted against used permissions, from exported access activity (offline).

    Reports, per role, the actions it was granted and never used in the period
    (BND118, category unused-permission) on the statement that grants them, and
    the roles not used at all.
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(
            f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}", param_hint="'--format'"
        )
    loaded = _load_activity(activity, since, until, role_map, stack)
    params = _parse_params(param)
    result = _run_audit(templates, loaded, config, params, region, account)
    from boundary.findings import Decision
    from boundary.report import ReportOptions, render

    reported = _Result(tuple(result.findings), tuple(result.errors), result.files, result.model.templates)
    for error in reported.errors:
        _stderr(str(error))
    bad_names = _unknown_parameters(params, result.model.templates)
    bad_names = _unknown_roles_mapped(loaded, result) or bad_names
    if summary is not None:
        import json

        from boundary.audit import role_summary

        data = {
            "since": loaded.since,
            "until": loaded.until,
            "events": loaded.events,
            "failed": loaded.failed,
            "roles": [role_summary(u) for u in result.usage if u.granted],
        }
        _write(summary, json.dumps(data, indent=2) + "\n")
    base = ReportOptions(root=os.getcwd())
    if output is not None:
        _write(output, render(fmt, reported, _options(base, fmt, tty=False, to_stdout=False)))
    else:
        if fmt == "text":
            typer.echo(_summary_text(result), nl=False)
        typer.echo(render(fmt, reported, _options(base, fmt, tty=_stdout_is_tty(), to_stdout=True)), nl=False)
    failing = [
        f
        for f in reported.findings
        if not f.suppressed and f.decision is Decision.DENY and f.severity.rank >= fail_on.rank
    ]
    if bad_names or any(error.is_error for error in reported.errors):
        raise typer.Exit(EXIT_ERROR)
    if failing and not soft_fail:
        raise typer.Exit(EXIT_FINDINGS)


class PolicyOutput(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    SAM = "sam"
    DIFF = "diff"


@app.command("generate-policy")
def generate_policy_command(
    template: Annotated[
        str,
        typer.Argument(
            metavar="TEMPLATE", help="The template or plan whose roles to rewrite.", show_default=False
        ),
    ],
    activity: Annotated[
        list[str],
        typer.Option("--activity", "-a", metavar="PATH", help=_ACTIVITY_HELP, show_default=False),
    ],
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE", help="Only activity at or after DATE (UTC).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="DATE", help="Only activity before DATE (UTC).")
    ] = None,
    role_map: Annotated[
        list[str] | None,
        typer.Option("--role-map", metavar="RESOURCE=ROLE", help="As for audit. Repeatable."),
    ] = None,
    stack: Annotated[
        list[str] | None, typer.Option("--stack", metavar="NAME", help="As for audit. Repeatable.")
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role", metavar="RESOURCE", help="Only this template role (logical id or address). Repeatable."
        ),
    ] = None,
    param: ParamOption = None,
    region: RegionOption = "us-east-1",
    account: AccountOption = "123456789012",
    fmt: Annotated[
        PolicyOutput,
        typer.Option(
            "--format",
            "-f",
            help="text: all three forms per role; json: {role: IAM policy}; sam: the Policies blocks; "
            "diff: one unified diff to apply with `git apply` or `patch -p1`.",
        ),
    ] = PolicyOutput.TEXT,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", dir_okay=False, help="Write to FILE.")
    ] = None,
) -> None:
    """Write a least-privilege policy per role from its access activity: IAM JSON, a SAM
    `Policies:` block (SAM policy templates where one matches exactly) and a unified diff."""
    import json

    from boundary.audit import generate_policies

    loaded = _load_activity(activity, since, until, role_map, stack)
    params = _parse_params(param)
    result = _run_audit([template], loaded, None, params, region, account)
    for error in result.errors:
        _stderr(str(error))
    bad_names = _unknown_parameters(params, result.model.templates)
    bad_names = _unknown_roles_mapped(loaded, result) or bad_names
    policies = generate_policies(result.model, result.usage)
    if role:
        known = {u.resource.id for u in result.usage}
        unknown = sorted(set(role) - known)
        if unknown:
            raise typer.BadParameter(f"no role {', '.join(unknown)} in {template}", param_hint="'--role'")
        policies = [p for p in policies if p.role in role]
    if fmt is PolicyOutput.JSON:
        text = json.dumps({p.role: p.document for p in policies}, indent=2) + "\n"
    elif fmt is PolicyOutput.SAM:
        text = "".join(f"# {p.role}\n{p.sam}" for p in policies if p.sam)
    elif fmt is PolicyOutput.DIFF:
        text = _merged_diff(result.model, policies)
    else:
        parts = []
        for p in policies:
            parts.append(f"== {p.role} ({p.template})\n")
            if p.note:
                parts.append(f"# {p.note}\n")
            parts.append(f"-- IAM policy\n{p.json}")
            if p.sam:
                parts.append(f"-- template\n{p.sam}")
            if p.diff:
                parts.append(f"-- diff\n{p.diff}")
        never = [u.resource.id for u in result.usage if u.granted and u.never_used]
        if never:
            parts.append(f"== not used at all (remove them): {', '.join(never)}\n")
        text = "".join(parts)
    if output is not None:
        _write(output, text)
    else:
        typer.echo(text, nl=False)
    if bad_names or any(error.is_error for error in result.errors):
        raise typer.Exit(EXIT_ERROR)


def _merged_diff(model: Any, policies: Sequence[Any]) -> str:
    """All roles' changes to one file in one diff (hunks of separate diffs would clash)."""
    from boundary.audit import merged_diff

    return str(merged_diff(model, policies))


# ------------------------------------------------------------------- checkov


@app.command("checkov-dir")
def checkov_dir_command() -> None:
    """Print the folder to give Checkov's --external-checks-dir (docs/checkov.md)."""
    from boundary.integrations.checkov import checks_dir

    typer.echo(str(checks_dir()))


@app.command(
    "checkov",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def checkov_command(
    ctx: typer.Context,
) -> None:
    """Run Checkov with boundary's checks added, offline: `boundary checkov -d .`.

    Every argument goes to Checkov (`boundary checkov -- --help` shows Checkov's own
    help); --external-checks-dir and --skip-download are added, and BC_SKIP_MAPPING=TRUE
    is set. The exit code is Checkov's.
    """
    from boundary.integrations.checkov import (
        CheckovArgumentError,
        CheckovMissing,
        check_arguments,
        run_checkov,
    )

    try:
        check_arguments(list(ctx.args))
        code = run_checkov(list(ctx.args))
    except CheckovArgumentError as wrong:
        _fail(f"boundary checkov: {wrong}")
    except CheckovMissing as missing:
        _fail(f"boundary checkov: {missing}")
    raise typer.Exit(code)


# ---------------------------------------------------------------------- main


def _prog_name() -> str:
    """`serverless-boundary` when run by that name (the second console script), else `boundary`."""
    invoked = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "serverless-boundary" if invoked.startswith("serverless-boundary") else "boundary"


#: The cyclic garbage collector's thresholds for a command-line run. A scan allocates
#: millions of small, mostly acyclic objects (parsed templates, SAM's output, the
#: model); with Python's default of a young collection every 700 allocations the
#: collector took about a tenth of a corpus scan's CPU time. Set by the command only:
#: the library leaves a host program's collector alone.
_GC_THRESHOLDS = (20_000, 20, 100)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console-script entry point: run the app, turn any exception into one line.

    Called without `argv`, as the `boundary` script and `python -m boundary` call it,
    the command is the whole process: it ends there (`_end_process`), without the
    interpreter's teardown, unless a profiler or a tracer (coverage, a debugger) is
    on, which reports at the end. Called with `argv`, it raises `SystemExit` as usual."""
    try:
        _main(argv)
    except SystemExit as done:
        if argv is not None or sys.getprofile() is not None or sys.gettrace() is not None:
            raise
        _end_process(done.code)


def _end_process(code: object) -> NoReturn:
    """End the process as `sys.exit(code)` would, less the interpreter's teardown: once a
    scan has printed, freeing its millions of objects one by one and unloading every
    module took about 0.2 s, a tenth of a corpus scan. The exit handlers still run and
    the standard streams are flushed; every file boundary writes is closed by then."""
    import atexit

    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:  # `sys.exit("message")`: Python prints it and exits 1
        _stderr(str(code))
        status = 1
    try:
        atexit._run_exitfuncs()
    except Exception:  # noqa: BLE001, S110 - a failing exit handler must not change the exit code
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that left, a stream already closed
            pass
    os._exit(status)


def _main(argv: Sequence[str] | None) -> NoReturn:
    gc.set_threshold(*_GC_THRESHOLDS)
    try:
        # standalone: typer shows usage errors (exit 2) and handles Exit itself, and exits
        app(args=list(argv) if argv is not None else None, prog_name=_prog_name())
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _stderr("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        # `boundary scan | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except Exception as exc:
        if os.environ.get("BOUNDARY_DEBUG"):
            raise
        _stderr(
            f"boundary: internal error: {type(exc).__name__}: {_one_line(exc)} (set BOUNDARY_DEBUG=1 for details)"
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_OK)
