"""``python -m qiniu_contracts.seed_setup [serve flags]`` (``make serve-seed``): an emulator
ready for the data-processing seed's usage examples (``docs/examples/seed/``).

The first run writes, under ``--seed-home`` (default ``./.qiniu-emulator-seed``), one folder
per bucket the examples read holding the sources they name, a stand-in for the watermark
logo at ``http://www.qiniu.com/images/logo.png`` and the ``workflow-template-123`` template;
every run then starts ``qiniu-emulator serve`` with all nine seed buckets, those folders as
``--seed-dir``, the logo through ``--url-map`` and the template through ``--workflows``,
plus whatever flags it was given (``--port``, ``--data``...).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .media import (
    SEED_AUDIO, SEED_BATCH, SEED_DOCUMENT, SEED_IMAGE, SEED_INPUT, SEED_PHOTO, SEED_VIDEO, write_media,
    write_seed_media,
)
from .targets import SEED_BUCKETS, SEED_LOGO_URL, logo_fixture, workflows_file

DEFAULT_HOME = Path("./.qiniu-emulator-seed")
# The sources each example reads, by the bucket it reads them from.
SOURCES = {
    "source-bucket": [SEED_IMAGE], "video-bucket": [SEED_VIDEO], "audio-bucket": [SEED_AUDIO],
    "document-bucket": [SEED_DOCUMENT], "workflow-bucket": [SEED_INPUT], "batch-bucket": list(SEED_BATCH),
    "pipeline-bucket": [SEED_PHOTO],
}
READY = ".complete"  # written last: a run cut short is redone


def prepare(home: Path) -> list[str]:
    """Write what the examples need under ``home`` (once); the serve flags that use it."""
    home = home.resolve()
    if not (home / READY).exists():
        media = home / "media"
        media.mkdir(parents=True, exist_ok=True)
        write_media(media)
        write_seed_media(media)
        for bucket, names in SOURCES.items():
            folder = home / "buckets" / bucket
            folder.mkdir(parents=True, exist_ok=True)
            for name in names:
                shutil.copyfile(media / name, folder / name)
        shutil.rmtree(media)
        logo_fixture(home)
        workflows_file(home)
        (home / READY).touch()
    origin = SEED_LOGO_URL.rsplit("/images/", 1)[0] + "/"
    flags = ["--seed-dir", str(home / "buckets"), "--url-map", f"{origin}={home / 'url-map'}",
             "--workflows", str(home / "workflows.yml")]
    for bucket in SEED_BUCKETS:
        flags += ["--bucket", bucket]
    return flags


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qiniu_contracts.seed_setup",
        description="Serve an emulator ready for the seed's examples; other flags go to qiniu-emulator serve.")
    parser.add_argument("--seed-home", type=Path, default=DEFAULT_HOME,
                        help=f"where the examples' sources, logo and template are kept (default {DEFAULT_HOME})")
    args, serve_flags = parser.parse_known_args(argv)
    flags = prepare(args.seed_home)
    from qiniu_emulator.cli import main as emulator_main

    return emulator_main(["serve", *flags, *serve_flags])


if __name__ == "__main__":
    sys.exit(main())
