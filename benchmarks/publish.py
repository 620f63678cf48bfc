"""Benchmark `castnotes publish` to a real S3 server (moto's, on 127.0.0.1).

Usage:
    python benchmarks/publish.py [--episodes 1000] [--workdir DIR] [--keep]

It generates an N-episode show with showgen.py and builds it (not timed), then runs
`castnotes publish --no-build` in a subprocess, talking HTTP to the S3 server that
runs in this process:

    first      an empty bucket: every file goes up
    again      nothing changed: nothing should go up
    one new    one more episode folder, `castnotes build`, then publish

For each: wall time, HTTP requests the server received, and bytes it received in
request bodies (the server's own log, so boto3's retries and multipart parts count).
Needs `pip install -e '.[test]'` (boto3 and moto[server]).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

import showgen

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from s3server import CREDENTIALS, S3Server  # noqa: E402

BUCKET = "bench"


def castnotes(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **CREDENTIALS, "PYTHONPATH": str(REPO / "src"),
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    result = subprocess.run([sys.executable, "-m", "castnotes", "-C", str(root), *args],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"castnotes {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


def measure(server: S3Server, root: Path, label: str) -> dict:
    server.log.clear()
    started = time.perf_counter()
    result = castnotes(root, "publish", "--no-build")
    seconds = time.perf_counter() - started
    log = list(server.log)
    return {"run": label, "seconds": seconds, "requests": len(log),
            "bytes": sum(size for _, _, size in log),
            "puts": sum(1 for method, _, _ in log if method == "PUT"),
            "summary": result.stdout.strip().splitlines()[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="castnotes-publish-bench-"))
    root = workdir / f"show-{args.episodes}"
    sources = showgen.make_sources(workdir / "sources")
    print(f"generating {args.episodes} episodes in {root} ...", file=sys.stderr)
    showgen.generate_show(root, args.episodes, sources)
    server = S3Server().start()
    try:
        with (root / "castnotes.toml").open("a", encoding="utf-8") as settings:
            settings.write(f'\n[publish]\ntarget = "s3://{BUCKET}/show/"\nendpoint_url = "{server.url}"\n'
                           'region = "us-east-1"\n')
        boto3.client("s3", endpoint_url=server.url, region_name="us-east-1",
                     aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket=BUCKET)
        started = time.perf_counter()
        castnotes(root, "build")
        print(f"build: {time.perf_counter() - started:.1f} s (not part of the figures)", file=sys.stderr)
        site_files = [p for p in (root / "site").rglob("*") if p.is_file()]
        site_bytes = sum(p.stat().st_size for p in site_files)
        rows = [measure(server, root, "first publish")]
        rows.append(measure(server, root, "again, nothing changed"))
        showgen.add_episode(root, args.episodes + 1, showgen.first_date(args.episodes), sources)
        castnotes(root, "build")
        rows.append(measure(server, root, "after one new episode"))
    finally:
        server.stop()
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{args.episodes} episodes; site: {len(site_files)} files, {site_bytes / 1_048_576:.1f} MB; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print("| run | wall time | requests | PUTs | bytes sent |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['run']} | {row['seconds']:.1f} s | {row['requests']:,} | {row['puts']:,} | "
              f"{row['bytes'] / 1_048_576:.2f} MB |")
    print()
    for row in rows:
        print(f"{row['run']}: {row['summary']}")


if __name__ == "__main__":
    main()
