"""Access activity from exported files, aggregated in bounded memory. Never an AWS call.

What is read (a file or a whole folder tree; `.gz` files are decompressed on the fly):

* CloudTrail log files as delivered to S3: `{"Records": [event, ...]}`;
* CloudTrail event history as printed by `aws cloudtrail lookup-events`:
  `{"Events": [{"CloudTrailEvent": "<the event as a JSON string>", ...}]}`;
* IAM access advisor, `aws iam get-service-last-accessed-details` (service level, and
  action level where `TrackedActionsLastAccessed` is present);
* the CSV result of the aggregation query in docs/audit.md (Athena, CloudTrail Lake).

Events are aggregated as they are read, one line per (principal, event source, event
name, resource ARN) with first and last time and a count, exactly what the SQL in
docs/audit.md computes; memory grows with the number of distinct lines, not with the
size of the logs. A file of up to `WHOLE_FILE_LIMIT` bytes is parsed at once (S3 trail
files are small); a bigger one is streamed event by event with ijson.

Failed calls (any `errorCode`, AccessDenied included) are counted in `Activity.failed`
and are not use.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, BinaryIO, cast

from boundary.iam import catalog
from boundary.model import Access, Activity, LoadError

__all__ = [
    "ACTION_EXCEPTIONS",
    "SOURCE_PREFIXES",
    "WHOLE_FILE_LIMIT",
    "ActivityError",
    "Aggregator",
    "event_action",
    "event_principal",
    "event_resources",
    "iter_events",
    "load_activity",
    "normalize_time",
]

# Files up to this size are parsed whole (fast); bigger ones are streamed (bounded memory).
WHOLE_FILE_LIMIT = 64 * 1024 * 1024

# Event sources whose IAM service prefix is not the first label of the host name.
SOURCE_PREFIXES: Mapping[str, str] = {
    "monitoring.amazonaws.com": "cloudwatch",
    "email.amazonaws.com": "ses",
    "tagging.amazonaws.com": "tag",
    "elasticfilesystem.amazonaws.com": "elasticfilesystem",
    "execute-api.amazonaws.com": "execute-api",
    "es.amazonaws.com": "es",
    "s3-outposts.amazonaws.com": "s3-outposts",
    "apigateway.amazonaws.com": "apigateway",
}

# (IAM service prefix, event name) -> the IAM action(s) the call needs, where the event
# name is not the action name. An empty tuple: the call needs no IAM action of its own.
ACTION_EXCEPTIONS: Mapping[tuple[str, str], tuple[str, ...]] = {
    # Lambda: the API version is part of the event name (handled below) and Invoke
    # is the InvokeFunction permission.
    ("lambda", "Invoke"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeAsync"): ("lambda:InvokeFunction",),
    ("lambda", "InvokeWithResponseStream"): ("lambda:InvokeFunction",),
    # S3: list and head calls are authorised by other actions.
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "ListBuckets"): ("s3:ListAllMyBuckets",),
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "CopyObject"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "UploadPart"): ("s3:PutObject",),
    ("s3", "UploadPartCopy"): ("s3:GetObject", "s3:PutObject"),
    ("s3", "CreateMultipartUpload"): ("s3:PutObject",),
    ("s3", "CompleteMultipartUpload"): ("s3:PutObject",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "ListMultipartUploads"): ("s3:ListBucketMultipartUploads",),
    ("s3", "ListParts"): ("s3:ListMultipartUploadParts",),
    # DynamoDB transactions are authorised per item by the item actions, which the
    # event does not list: no action can be credited.
    ("dynamodb", "TransactWriteItems"): (),
    ("dynamodb", "TransactGetItems"): (),
    # KMS: ReEncrypt needs both halves.
    ("kms", "ReEncrypt"): ("kms:ReEncryptFrom", "kms:ReEncryptTo"),
    # STS: the caller's own identity needs no permission.
    ("sts", "GetCallerIdentity"): (),
    # CloudWatch Logs: filter/get are the same permission names; Insights queries are StartQuery.
    # Step Functions: sync executions are StartSyncExecution (same name); nothing to add.
}

_LAMBDA_VERSION = re.compile(r"^(?P<name>[A-Za-z]+?)(?:20[0-9]{6}(?:v[0-9]+)?)$")


class ActivityError(Exception):
    """A file that is not activity we can read. One line."""


def normalize_time(value: str | None) -> str:
    """An ISO 8601 UTC time as CloudTrail writes it (`2026-05-01T12:00:00Z`); '' if absent.

    Accepts offsets (`+00:00`), fractions, a space instead of `T`, and a bare date."""
    if not value:
        return ""
    text = str(value).strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", text):
        return text
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return ""
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def _service_of(source: str) -> str:
    if source in SOURCE_PREFIXES:
        return SOURCE_PREFIXES[source]
    return source.split(".", 1)[0]


@lru_cache(maxsize=8192)
def event_action(source: str, name: str) -> tuple[str, ...] | None:
    """The IAM action(s) an event needs, canonical, or None when the catalog knows none.

    `dynamodb.amazonaws.com` + `PutItem` is `dynamodb:PutItem`; the exceptions are
    `ACTION_EXCEPTIONS` (documented in docs/audit.md) and Lambda's versioned names
    (`UpdateFunctionCode20150331v2`)."""
    service = _service_of(source)
    if service == "lambda":
        match = _LAMBDA_VERSION.match(name)
        if match:
            name = match.group("name")
    mapped = ACTION_EXCEPTIONS.get((service, name))
    candidates = mapped if mapped is not None else (f"{service}:{name}",)
    cat = catalog()
    out = []
    for candidate in candidates:
        info = cat.action(candidate)
        if info is None:
            return None
        out.append(info.name)
    return tuple(out)


def event_principal(event: Mapping[str, Any]) -> str:
    """Who acted: the role (IAM ARN) behind an assumed-role session, else the caller's ARN,
    else the AWS service that called. The same as the SQL's COALESCE in docs/audit.md."""
    identity = event.get("userIdentity")
    if not isinstance(identity, Mapping):
        return ""
    context = identity.get("sessionContext")
    issuer = context.get("sessionIssuer") if isinstance(context, Mapping) else None
    if isinstance(issuer, Mapping) and issuer.get("arn"):
        return str(issuer["arn"])
    arn = identity.get("arn")
    if arn:
        return str(arn)
    return str(identity.get("invokedBy") or "")


def event_resources(event: Mapping[str, Any]) -> tuple[str | None, ...]:
    """The resource ARNs the event names (its `resources` list), or (None,)."""
    listed = event.get("resources")
    arns: list[str] = []
    if isinstance(listed, list):
        for entry in listed:
            if isinstance(entry, Mapping):
                arn = entry.get("ARN") or entry.get("arn")
                if isinstance(arn, str) and arn:
                    arns.append(arn)
    return tuple(arns) if arns else (None,)


@dataclass
class _Line:
    first: str
    last: str
    count: int


class Aggregator:
    """Counts events into aggregate lines as they stream by; bounded by distinct lines."""

    def __init__(self, since: str | None = None, until: str | None = None) -> None:
        self.since = since
        self.until = until
        self.lines: dict[tuple[str, str, str, str | None], _Line] = {}
        self.events = 0
        self.failed = 0
        self.skipped = 0

    def in_period(self, time: str) -> bool:
        if self.since and time < self.since:
            return False
        return not (self.until and time >= self.until)

    def add_event(self, event: Mapping[str, Any]) -> None:
        time = normalize_time(event.get("eventTime"))
        if not time or not self.in_period(time):
            self.skipped += 1
            return
        self.events += 1
        if event.get("errorCode"):
            self.failed += 1
            return
        principal = event_principal(event)
        source = str(event.get("eventSource") or "")
        name = str(event.get("eventName") or "")
        for resource in event_resources(event):
            self.add_line(principal, source, name, resource, time, time, 1)

    def add_line(
        self, principal: str, source: str, name: str, resource: str | None, first: str, last: str, count: int
    ) -> None:
        key = (principal, source, name, resource)
        line = self.lines.get(key)
        if line is None:
            self.lines[key] = _Line(first, last, count)
            return
        line.count += count
        if first < line.first:
            line.first = first
        if last > line.last:
            line.last = last

    def accesses(self) -> list[Access]:
        out = []
        for (principal, source, name, resource), line in self.lines.items():
            actions = event_action(source, name) if name else None
            service = _service_of(source)
            for action in actions or (None,):
                out.append(
                    Access(
                        principal=principal,
                        source=source,
                        name=name,
                        action=action,
                        service=service,
                        resource=resource,
                        first_seen=line.first,
                        last_seen=line.last,
                        count=line.count,
                    )
                )
        return out

    def unmapped(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for (_, source, name, _), line in self.lines.items():
            if name and not event_action(source, name) and (source, name) not in _NO_ACTION:
                counts[(source, name)] = counts.get((source, name), 0) + line.count
        return dict(sorted(counts.items()))


_NO_ACTION = {
    (source, name)
    for (service, name), actions in ACTION_EXCEPTIONS.items()
    if not actions
    for source in (f"{service}.amazonaws.com",)
}


# ---- files -------------------------------------------------------------------------


def _files(path: str) -> Iterator[str]:
    if os.path.isdir(path):
        for root, dirs, names in os.walk(path):
            dirs.sort()
            for name in sorted(names):
                if name.startswith("."):
                    continue
                if name.endswith((".json", ".json.gz", ".csv", ".csv.gz", ".gz")):
                    yield os.path.join(root, name)
    else:
        yield path


def _open(path: str) -> BinaryIO:
    if path.endswith(".gz"):
        return cast(BinaryIO, gzip.GzipFile(path, "rb"))
    return open(path, "rb")


def _sniff(path: str) -> str:
    """`records`, `events` (lookup-events), `advisor`, or `csv`, from the first bytes."""
    with _open(path) as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    stripped = head.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("{", "[")):
        return "csv"
    for key, kind in (
        ('"Records"', "records"),
        ('"Events"', "events"),
        ('"ServicesLastAccessed"', "advisor"),
    ):
        if key in head:
            return kind
    return "unknown"


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _whole(path: str) -> Any:
    with _open(path) as handle:
        return json.loads(handle.read())


def _stream(path: str, prefix: str) -> Iterator[Any]:
    import ijson  # streaming JSON for files too big to parse at once

    with _open(path) as handle:
        yield from ijson.items(handle, prefix, use_float=True)


def _big(path: str, limit: int) -> bool:
    # a gzip file is some ten times bigger unpacked
    return _size(path) * (10 if path.endswith(".gz") else 1) > limit


def iter_events(path: str, kind: str, *, limit: int = WHOLE_FILE_LIMIT) -> Iterator[Mapping[str, Any]]:
    """The CloudTrail events of one file of kind `records` or `events`."""
    key = "Records" if kind == "records" else "Events"
    if _big(path, limit):
        items: Iterable[Any] = _stream(path, f"{key}.item")
    else:
        document = _whole(path)
        listed = document.get(key) if isinstance(document, Mapping) else None
        if not isinstance(listed, list):
            raise ActivityError(f"'{key}' is not a list")
        items = listed
    for item in items:
        if kind == "events":
            if not isinstance(item, Mapping):
                continue
            inner = item.get("CloudTrailEvent")
            if isinstance(inner, str):
                item = json.loads(inner)
            elif not isinstance(inner, Mapping):
                continue
            else:
                item = inner
        if isinstance(item, Mapping):
            yield item


def _advisor(path: str, aggregator: Aggregator) -> None:
    document = _whole(path)
    services = document.get("ServicesLastAccessed") if isinstance(document, Mapping) else None
    if not isinstance(services, list):
        raise ActivityError("'ServicesLastAccessed' is not a list")
    for service in services:
        if not isinstance(service, Mapping):
            continue
        namespace = str(service.get("ServiceNamespace") or "")
        when = normalize_time(service.get("LastAuthenticated"))
        entity = str(service.get("LastAuthenticatedEntity") or "")
        if not namespace or not when or not entity or not aggregator.in_period(when):
            continue
        aggregator.add_line(entity, namespace, "", None, when, when, 0)
        for tracked in service.get("TrackedActionsLastAccessed") or ():
            if not isinstance(tracked, Mapping):
                continue
            action_when = normalize_time(tracked.get("LastAccessedTime"))
            name = str(tracked.get("ActionName") or "")
            if not name or not action_when or not aggregator.in_period(action_when):
                continue
            who = str(tracked.get("LastAccessedEntity") or entity)
            aggregator.add_line(who, namespace, name, None, action_when, action_when, 0)


_CSV_COLUMNS = ("principal", "eventsource", "eventname", "resource", "first_seen", "last_seen", "count")


def _csv(path: str, aggregator: Aggregator) -> None:
    with _open(path) as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        fields = [f.strip().lower() for f in reader.fieldnames or ()]
        missing = [c for c in _CSV_COLUMNS if c not in fields]
        if missing:
            raise ActivityError(
                f"not the aggregation query's CSV: missing column(s) {', '.join(missing)} (see docs/audit.md)"
            )
        for row in reader:
            record = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            first = normalize_time(record["first_seen"])
            last = normalize_time(record["last_seen"])
            if not first or not last or not aggregator.in_period(last):
                continue
            try:
                count = int(record["count"] or 0)
            except ValueError:
                raise ActivityError(f"count {record['count']!r} is not a number") from None
            aggregator.add_line(
                record["principal"],
                record["eventsource"],
                record["eventname"],
                record["resource"] or None,
                first,
                last,
                count,
            )
            aggregator.events += count


def read_into(path: str, aggregator: Aggregator, *, limit: int = WHOLE_FILE_LIMIT) -> None:
    """Aggregate one file; raises ActivityError, OSError or ValueError for bad input."""
    kind = _sniff(path)
    if kind in ("records", "events"):
        for event in iter_events(path, kind, limit=limit):
            aggregator.add_event(event)
    elif kind == "advisor":
        _advisor(path, aggregator)
    elif kind == "csv":
        _csv(path, aggregator)
    else:
        raise ActivityError(
            "not CloudTrail logs ('Records'), lookup-events output ('Events'), "
            "access advisor output ('ServicesLastAccessed') or the audit query's CSV"
        )


def _date(value: str | None, what: str) -> str | None:
    if not value:
        return None
    time = normalize_time(value)
    if not time:
        raise ActivityError(f"{what} {value!r} is not a date (YYYY-MM-DD or ISO 8601)")
    return time


def load_activity(
    paths: Sequence[str | os.PathLike[str]],
    *,
    since: str | None = None,
    until: str | None = None,
    role_map: Mapping[str, str] | None = None,
    stacks: Sequence[str] = (),
    limit: int = WHOLE_FILE_LIMIT,
) -> Activity:
    """Read and aggregate activity files and folders. Never raises for bad input: a file
    that cannot be read is one located line in `Activity.errors` and the rest is read.

    `since` is inclusive, `until` exclusive (dates or ISO times, UTC)."""
    aggregator = Aggregator(_date(since, "--since"), _date(until, "--until"))
    files: list[str] = []
    errors: list[LoadError] = []
    for given in paths:
        path = os.fspath(given)
        if not os.path.exists(path):
            errors.append(LoadError(path, 0, 0, "no such file or directory"))
            continue
        for file in _files(path):
            files.append(file)
            try:
                read_into(file, aggregator, limit=limit)
            except ActivityError as exc:
                errors.append(LoadError(file, 0, 0, str(exc)))
            except json.JSONDecodeError as exc:
                errors.append(LoadError(file, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}"))
            except (OSError, EOFError, ValueError, UnicodeDecodeError, csv.Error) as exc:
                errors.append(LoadError(file, 0, 0, f"cannot read activity: {_one_line(exc)}"))
            except Exception as exc:  # noqa: BLE001 - ijson's errors have no common public base
                errors.append(LoadError(file, 0, 0, f"cannot read activity: {_one_line(exc)}"))
    accesses = sorted(
        aggregator.accesses(),
        key=lambda a: (a.principal, a.source, a.name, a.resource or "", a.action or ""),
    )
    return Activity(
        accesses=tuple(accesses),
        files=tuple(files),
        errors=tuple(errors),
        events=aggregator.events,
        failed=aggregator.failed,
        unmapped=aggregator.unmapped(),
        since=aggregator.since,
        until=aggregator.until,
        role_map=dict(role_map or {}),
        stacks=tuple(stacks),
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())
