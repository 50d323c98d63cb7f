"""The order test files are handed to pytest-xdist workers in: the longest first."""

from __future__ import annotations

from typing import Any

# The files that take longest (children: servers, CLIs, pytest runs, browsers, transcodes),
# longest first. Under ``make test`` (xdist, whole files per worker, no reorder) they are
# handed out first, so no worker is left running one of them while the others are idle.
# ``pytest --durations=100`` shows when this list needs a new entry.
LONG_FILES = (
    "tests/emulator/test_emulator_shared_contract_run.py",
    "tests/project/test_readme_snippets.py",
    "tests/av/test_av_avthumb_params.py",
    "tests/project/test_seed_examples_served.py",
    "tests/emulator/test_emulator_hls_playback.py",
    "tests/scenarios/test_readme_recipes.py",
    "tests/boundaries/test_notify_and_shutdown.py",
    "tests/emulator/test_emulator_dora.py",
    "tests/emulator/test_emulator_server.py",
    "tests/emulator/test_emulator_cli.py",
    "contracts/qiniu_contracts/test_seed_examples.py",
    "tests/ui/test_ui_browser.py",
    "tests/s3/test_s3_awscli.py",
    "tests/s3/test_s3_readme.py",
    "tests/av/test_av_avthumb.py",
    "tests/image/test_image_mogr2.py",
    "tests/browser/test_qiniu_js.py",
    "tests/censor/test_readme_moderation.py",
    "tests/sdk/test_regions_sdk.py",
    "contracts/qiniu_contracts/test_media_contract.py",
    "tests/ui/test_ui_regions.py",
    "tests/av/test_av_encode_profiles.py",
    "tests/sdk/test_node_sdk.py",
    "tests/sdk/test_tls.py",
)


def longest_first(items: list[Any]) -> None:
    """Sort collected ``items``: the long files first, in LONG_FILES order; the rest after
    them as collected (a stable sort keeps each file's tests together and in order)."""
    rank = {path: place for place, path in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(LONG_FILES)))
