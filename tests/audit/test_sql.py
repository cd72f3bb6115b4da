"""docs/audit.md's aggregation SQL, run with DuckDB over the same JSON files, gives
exactly boundary's own streaming aggregate; and its CSV reads back to the same activity."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from boundary.load.activity import Aggregator, iter_events, load_activity

duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[2]
TRAILS = [
    ROOT / "samples" / "activity" / "airline" / "AWSLogs",
    ROOT / "tests" / "rules" / "fixtures" / "unused-permission" / "activity",
]

# The columns the query reads, typed as in the Athena table of docs/audit.md.
_RECORD = (
    "STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, errorCode VARCHAR, "
    "userIdentity STRUCT(arn VARCHAR, invokedBy VARCHAR, sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))), "
    "resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[])"
)


def _documented_sql() -> str:
    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- boundary:aggregate-sql -->\n```sql\n(.*?)```", doc, re.S)
    assert match, "docs/audit.md lost its marked aggregation query"
    return match.group(1)


def _period(sql: str) -> tuple[str, str]:
    since = re.search(r"eventtime >= '([^']+)'", sql)
    until = re.search(r"eventtime < '([^']+)'", sql)
    assert since and until
    return since.group(1), until.group(1)


def _duckdb(sql: str) -> list[tuple[object, ...]]:
    files = [str(p) for trail in TRAILS for p in sorted(trail.rglob("*.json*"))]
    con = duckdb.connect()
    # The stand-in for the Athena table. Trino unnests an array of rows into one column
    # per field (`AS t(arn, accountid, type)`); DuckDB unnests it into one struct column.
    # So here `resources` is the list of the ARNs, which DuckDB unnests into `t.arn`.
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    con.execute(
        f"""
        CREATE TABLE cloudtrail_logs AS
        SELECT r.* REPLACE (list_transform(r.resources, lambda x: x.ARN) AS resources)
        FROM (SELECT unnest(Records) AS r FROM read_json([{listed}], columns={{'Records': '{_RECORD}[]'}}))
        """
    )
    return [tuple(row) for row in con.execute(sql).fetchall()]


def _boundary(since: str, until: str) -> list[tuple[object, ...]]:
    aggregator = Aggregator(since, until)
    for trail in TRAILS:
        for path in sorted(trail.rglob("*.json*")):
            for event in iter_events(str(path), "records"):
                aggregator.add_event(event)
    return sorted(
        (principal, source, name, resource, line.first, line.last, line.count)
        for (principal, source, name, resource), line in aggregator.lines.items()
    )


def _key(row: tuple[object, ...]) -> tuple[str, ...]:
    return tuple("" if value is None else str(value) for value in row)


def test_documented_sql_equals_the_streaming_aggregate() -> None:
    sql = _documented_sql()
    since, until = _period(sql)
    expected = _boundary(since, until)
    got = _duckdb(sql)
    assert len(expected) > 40
    assert sorted(got, key=_key) == sorted(expected, key=_key)


def test_the_query_csv_reads_back_to_the_same_activity(tmp_path: Path) -> None:
    sql = _documented_sql()
    since, until = _period(sql)
    rows = _duckdb(sql)
    path = tmp_path / "aggregate.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["principal", "eventsource", "eventname", "resource", "first_seen", "last_seen", "count"]
        )
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    from_csv = load_activity([path], since=since, until=until)
    from_json = load_activity(TRAILS, since=since, until=until)
    assert not from_csv.errors and not from_json.errors
    assert from_csv.accesses == from_json.accesses
