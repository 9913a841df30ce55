"""`make bench`: every benchmark in turn, each in its own process, with its figures printed as it finishes."""
from __future__ import annotations

import subprocess
import sys
import time

BENCHES = [
    ("answers in process, build, start-up, memory (seed and 10,000 passages)", ["bench.bench_query"]),
    ("embedding model", ["bench.bench_embed", "--threads", "2,1"]),
    ("staff update at 10,000 passages", ["bench.bench_update", "--runs", "3"]),
    ("hot reload", ["bench.bench_reload"]),
    ("HTTP load: 16 clients for 30 s", ["bench.bench_http"]),
    ("channels over loopback", ["bench.bench_channels"]),
]


def main() -> int:
    """Run every benchmark. Returns: 0, or 1 when one failed (the others still run)."""
    failed = []
    for title, args in BENCHES:
        print(f"\n=== {title}: python -m {' '.join(args)}", flush=True)
        t0 = time.perf_counter()
        if subprocess.run([sys.executable, "-m", *args]).returncode != 0:
            failed.append(args[0])
        print(f"    ({time.perf_counter() - t0:.0f} s)", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
