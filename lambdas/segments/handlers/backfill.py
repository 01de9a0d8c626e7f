"""``segment-backfill-search``: index segments stored before the library-wide search existed.

Run once after upgrading a deployment whose table holds results from a version without
``GET /segments`` (see the README, "Deploy"). Uses the usual AWS credentials and region
(``AWS_PROFILE``, ``AWS_REGION``; ``AWS_ENDPOINT_URL`` for a local endpoint).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from segments.adapters.aws import resource
from segments.adapters.search_backfill import BackfillReport, backfill_search_keys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="segment-backfill-search", description=__doc__)
    p.add_argument(
        "--table",
        default=os.environ.get("TABLE_NAME"),
        help="the results table (the stack's TableName output; default: $TABLE_NAME)",
    )
    p.add_argument("--page-size", type=int, default=1000, help="items read per Scan page (1-1000, default 1000)")
    p.add_argument("--dry-run", action="store_true", help="count the segments without search keys; change nothing")
    return p


def _line(report: BackfillReport, dry_run: bool) -> str:
    done = "" if dry_run else f", indexed {report.indexed}, changed meanwhile {report.skipped}"
    return (
        f"scanned {report.scanned} items in {report.pages} pages: {report.missing} segments without search keys{done}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Scan the table and index what is missing; progress on stderr, the summary on stdout."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.table:
        parser.error("--table is required (or set TABLE_NAME)")
    if not 1 <= args.page_size <= 1000:
        parser.error("--page-size must be 1-1000")
    table = resource("dynamodb").Table(args.table)
    report = backfill_search_keys(
        table,
        page_size=args.page_size,
        dry_run=args.dry_run,
        on_page=lambda r: print(_line(r, args.dry_run), file=sys.stderr, flush=True),
    )
    print(_line(report, args.dry_run))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
