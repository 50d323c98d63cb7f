"""Where the contracts run: an in-process emulator, a running emulator, or real Qiniu."""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from qiniu_fop import Auth, QBoxRequestsAuth

REAL_VARIABLES = ("QINIU_ACCESS_KEY", "QINIU_SECRET_KEY", "QINIU_TEST_BUCKET", "QINIU_TEST_DOMAIN")
OPT_IN = "QINIU_CONTRACT_ALLOW_REAL"
TARGET_ENV = "QINIU_CONTRACT_TARGET"

# The README's buckets, so its examples run against the plugin's emulator as written.
README_BUCKETS = ("demo-bucket", "output-bucket")
# The multi-region emulator's buckets and their regions (plugin ``qiniu_emulator_regions``).
REGION_BUCKETS = {"region-home": "z0", "region-far": "z2"}
EMULATOR_BUCKET = "contract-bucket"
EMULATOR_OUTPUT_BUCKET = "contract-output"
# The seed documents use these names; the emulator target creates them so the
# examples run with only hosts and credentials substituted.
SEED_BUCKETS = ("source-bucket", "output-bucket", "video-bucket", "audio-bucket", "document-bucket",
                "workflow-bucket", "batch-bucket", "pipeline-bucket", "variants-bucket")
SEED_LOGO_URL = "http://www.qiniu.com/images/logo.png"
SEED_WORKFLOW = "workflow-template-123"


# The service port names the admin origin in this header; writes there carry ADMIN_WRITE.
ADMIN_URL_HEADER = "X-Qiniu-Emulator-Admin"
ADMIN_WRITE = {"X-Qiniu-Emulator": "1"}


class TargetUnavailable(Exception):
    """The chosen target cannot be used here; the message says why (pytest skips)."""


@dataclass
class Target:
    """Everything a contract needs to reach one deployment."""

    kind: str  # "emulator", "url" or "qiniu"
    url: str  # api/up/rs/rsf/uc host for emulators; "" for the real service
    access_key: str
    secret_key: str
    bucket: str
    output_bucket: str
    domain: str  # download domain of ``bucket`` (host[/path], no scheme)
    output_domain: str
    pipeline: str = ""
    workflow: str = ""
    prefix: str = field(default_factory=lambda: f"contracts/{uuid.uuid4().hex[:10]}/")
    poll_interval: float = 0.1
    job_timeout: float = 120.0
    seed_buckets: dict[str, str] = field(default_factory=dict)  # seed name -> real bucket
    seed_logo: bool = True  # the seed's watermark URL can be fetched by the target
    run_buckets: list[str] = field(default_factory=list)  # made for this run, dropped after it
    admin_url: str = ""  # an emulator's console and /_emulator/ endpoints (their own origin)

    @property
    def shared(self) -> bool:
        """Others use this deployment too: the run keeps to its prefix (and its buckets)."""
        return self.kind != "emulator"

    @property
    def is_emulator(self) -> bool:
        return self.kind in ("emulator", "url")

    def key(self, name: str) -> str:
        """A key under this run's prefix, so cleanup can find everything written."""
        return self.prefix + name


def parse_target(text: str) -> tuple[str, str]:
    if text in ("emulator", "qiniu"):
        return text, ""
    if text.startswith("url:"):
        url = text[len("url:"):].rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"--qiniu-target url: needs an http(s) URL, got {url!r}")
        return "url", url
    raise ValueError(f"--qiniu-target must be emulator, url:http://HOST:PORT or qiniu, not {text!r}")


def real_target() -> Target:
    missing = [name for name in REAL_VARIABLES if not os.environ.get(name)]
    if os.environ.get(OPT_IN) != "1":
        missing.append(f"{OPT_IN}=1")
    if missing:
        raise TargetUnavailable("real Qiniu target needs " + ", ".join(missing))
    bucket = os.environ["QINIU_TEST_BUCKET"]
    domain = os.environ["QINIU_TEST_DOMAIN"].removeprefix("http://").removeprefix("https://")
    return Target(kind="qiniu", url="", access_key=os.environ["QINIU_ACCESS_KEY"],
                  secret_key=os.environ["QINIU_SECRET_KEY"], bucket=bucket, output_bucket=bucket,
                  domain=domain, output_domain=domain, pipeline=os.environ.get("QINIU_TEST_PIPELINE", ""),
                  workflow=os.environ.get("QINIU_TEST_WORKFLOW", ""), poll_interval=2.0, job_timeout=600.0,
                  seed_buckets={name: bucket for name in SEED_BUCKETS})


def suite_emulator_target(url: str, access_key: str, secret_key: str, admin_url: str) -> Target:
    """The suite's own in-process emulator: fixed buckets (made at its start), the seed's names."""
    host = url.split("://", 1)[1]
    return Target(kind="emulator", url=url, admin_url=admin_url, access_key=access_key, secret_key=secret_key,
                  bucket=EMULATOR_BUCKET, output_bucket=EMULATOR_OUTPUT_BUCKET,
                  domain=f"{host}/_io/{EMULATOR_BUCKET}", output_domain=f"{host}/_io/{EMULATOR_OUTPUT_BUCKET}",
                  workflow=SEED_WORKFLOW, seed_buckets={name: name for name in SEED_BUCKETS})


def admin_origin(url: str, timeout: float = 10) -> str:
    """An emulator's admin origin (console, ``/_emulator/``): the one its service port names
    in its answer to ``/_emulator/`` paths, or ``url`` itself when it is that origin."""
    url = url.rstrip("/")
    answer = requests.get(f"{url}/_emulator/health", timeout=timeout)
    return (answer.headers.get(ADMIN_URL_HEADER) or url).rstrip("/")


def shared_emulator_target(url: str, access_key: str, secret_key: str) -> Target:
    """A target on an emulator someone else runs: the run works in two buckets of its own,
    named after its run id, and :func:`release` drops them with everything in them."""
    run = uuid.uuid4().hex[:10]
    bucket, output = f"qc-{run}", f"qc-{run}-out"
    signer = QBoxRequestsAuth(Auth(access_key, secret_key))
    for name in (bucket, output):
        response = requests.post(f"{url}/mkbucketv3/{name}/region/z0", auth=signer, timeout=10)
        if response.status_code != 200:
            raise TargetUnavailable(f"cannot create bucket {name} on {url}: {response.status_code} {response.text}")
    host = url.split("://", 1)[1]
    admin = admin_origin(url)
    health = requests.get(f"{admin}/_emulator/health", timeout=10).json()
    return Target(kind="url", url=url, admin_url=admin, access_key=access_key, secret_key=secret_key,
                  bucket=bucket, output_bucket=output,
                  domain=f"{host}/_io/{bucket}", output_domain=f"{host}/_io/{output}",
                  workflow=SEED_WORKFLOW if SEED_WORKFLOW in health.get("workflows", []) else "",
                  prefix=f"contracts/{run}/", seed_buckets={name: bucket for name in SEED_BUCKETS},
                  seed_logo=any(SEED_LOGO_URL.startswith(p) for p in health.get("urlMap", [])),
                  run_buckets=[bucket, output])


def release(target: Target) -> None:
    """Leave a shared emulator as the run found it: its buckets, objects and jobs go."""
    signer = QBoxRequestsAuth(Auth(target.access_key, target.secret_key))
    for name in target.run_buckets:
        requests.post(f"{target.admin_url}/_emulator/reset", params={"bucket": name}, headers=ADMIN_WRITE,
                      timeout=30)
        requests.post(f"{target.url}/drop/{name}", auth=signer, timeout=30)


def workflows_file(directory: Path) -> Path:
    """Templates the contracts use, for an emulator started by the suite."""
    path = directory / "workflows.yml"
    path.write_text(
        "workflows:\n"
        f"  - id: {SEED_WORKFLOW}\n"
        "    fops: \"imageView2/2/w/400/h/300/format/webp;imageInfo\"\n"
    )
    return path


def logo_fixture(directory: Path) -> Path:
    """A stand-in for the seed's watermark logo URL, served through --url-map."""
    from PIL import Image, ImageDraw

    folder = directory / "url-map" / "images"
    folder.mkdir(parents=True, exist_ok=True)
    logo = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((0, 0, 119, 39), fill=(220, 30, 30, 255))
    logo.save(folder / "logo.png")
    return directory / "url-map"


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="qiniu-contracts-"))
