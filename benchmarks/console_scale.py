"""Console pages with 10,000 objects and 5,000 jobs, against the same pages nearly empty
(not run by CI).

    .venv/bin/python benchmarks/console_scale.py [--objects 10000] [--jobs 5000] [--rounds 10]

Starts two ``qiniu-emulator serve`` child processes, both with objects spread as half at
the root and half in 20 folders, and finished jobs that all read the same object. The
small one holds 2,000 objects and 60 jobs, just enough for every view to fill its page of
50; the loaded one holds ``--objects`` and ``--jobs``. Times every console page and JSON
endpoint on both, alternating round by round, and prints the medians and the loaded/small
ratio. The pages read one page of rows, never the whole set, so the ratio stays near 1.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import qiniu_fop
import requests
from served import ACCESS_KEY, BUCKET, SECRET_KEY, admin_url, free_port, start

READ_KEY = "obj-00000.txt"
PAGES = {
    "buckets": "/_emulator/ui/",
    "bucket root": f"/_emulator/ui/buckets/{BUCKET}",
    "one folder": f"/_emulator/ui/buckets/{BUCKET}?prefix=f3/",
    "object (read by every job)": f"/_emulator/ui/object?bucket={BUCKET}&key={READ_KEY}",
    "jobs": "/_emulator/ui/jobs",
    "jobs live fragment": "/_emulator/ui/jobs?fragment=1",
    "a job": "/_emulator/ui/jobs/{job}",
    "requests": "/_emulator/ui/requests",
    "objects JSON": f"/_emulator/objects?bucket={BUCKET}&limit=50",
    "jobs JSON": "/_emulator/jobs?limit=50",
}


def fill(url: str, objects: int, jobs: int) -> str:
    """Upload ``objects`` objects and run ``jobs`` jobs on the first; returns a job id."""
    config = qiniu_fop.Config.for_url(url)
    auth = qiniu_fop.Auth(ACCESS_KEY, SECRET_KEY)
    token = auth.upload_token(BUCKET, None, 7200)

    def upload(n: int) -> None:
        folder = f"f{n % 20}/" if n % 2 else ""
        _, info = qiniu_fop.put_data(token, f"{folder}obj-{n:05d}.txt", b"x" * 100, config=config)
        assert info.ok(), info

    pfop = qiniu_fop.PersistentFop(auth, BUCKET, config=config)

    def submit(_: int) -> str:
        ret, info = pfop.execute(READ_KEY, fops="qhash/md5", force=True)
        assert info.ok(), info
        return ret["persistentId"]

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(upload, range(objects)))
        ids = list(pool.map(submit, range(jobs)))
    for persistent_id in ids:
        pfop.wait(persistent_id, timeout=600)
    return ids[0]


def page_time(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=30)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    sizes = {"small": (2000, 60), "loaded": (args.objects, args.jobs)}
    servers, urls, admins, job_ids = [], {}, {}, {}
    try:
        for name, (objects, jobs) in sizes.items():
            port = free_port()
            servers.append(start(Path(tempfile.mkdtemp(prefix="console-bench-")) / "data", port))
            urls[name], admins[name] = f"http://127.0.0.1:{port}", admin_url(port)
            started = time.monotonic()
            job_ids[name] = fill(urls[name], objects, jobs)
            print(f"{name}: {objects} objects and {jobs} jobs in {time.monotonic() - started:.0f} s")
        session = requests.Session()
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for page, path in PAGES.items():
                for name, admin in admins.items():
                    target = admin + path.format(job=job_ids[name])
                    times.setdefault((page, name), []).append(page_time(session, target))
        print(f"\nmedian of {args.rounds} requests   small ms  loaded ms  loaded/small")
        for page in PAGES:
            small = statistics.median(times[(page, "small")]) * 1000
            loaded = statistics.median(times[(page, "loaded")]) * 1000
            print(f"{page:28s} {small:9.1f} {loaded:10.1f} {loaded / small:12.2f}")
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
