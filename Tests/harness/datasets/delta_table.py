#!/usr/bin/env python3
"""Writes real Delta tables with the `deltalake` package (hack/tools.d/deltalake.sh) for the data
version tests. Usage:
  delta_table.py append URI [--rows N]              one commit (creates the table on first use)
  delta_table.py checkpoint URI                      writes a checkpoint at the current version
  delta_table.py cleanup URI                         removes log files older than the last checkpoint
  delta_table.py version URI                         prints the table version deltalake reads
S3 (moto): the environment's AWS_ENDPOINT_URL, keys and region are passed as storage options.
Prints one JSON line: {"version": N}.
"""
import json
import os
import sys

from arro3.core import Array, DataType, Table
from deltalake import DeltaTable, write_deltalake


def storage_options(uri):
    if not uri.startswith("s3://"):
        return None
    return {
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
        "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
        "AWS_ALLOW_HTTP": "true",
        "AWS_S3_ALLOW_UNSAFE_RENAME": "true",
    }


def main():
    command, uri = sys.argv[1], sys.argv[2]
    opts = storage_options(uri)
    if command == "append":
        rows = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--rows" else 3
        table = Table.from_pydict({"id": Array(list(range(rows)), DataType.int64())})
        write_deltalake(uri, table, mode="append", storage_options=opts,
                        configuration={"delta.logRetentionDuration": "interval 0 seconds"})
    elif command == "checkpoint":
        DeltaTable(uri, storage_options=opts).create_checkpoint()
    elif command == "cleanup":
        DeltaTable(uri, storage_options=opts).cleanup_metadata()
    elif command != "version":
        raise SystemExit("unknown command " + command)
    print(json.dumps({"version": DeltaTable(uri, storage_options=opts).version()}))


if __name__ == "__main__":
    main()
