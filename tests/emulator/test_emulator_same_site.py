"""Another site's page cannot make a browser write to the emulator-only endpoints: a form
POST to /_emulator/reset from it would wipe the emulator (no signature is needed there)."""

from __future__ import annotations

import requests

PUBLIC = "demo-bucket"


def test_a_write_from_another_sites_page_is_refused_and_changes_nothing(server):
    server.emulator.storage.put_bytes(PUBLIC, "kept.txt", b"kept", mime="text/plain")
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = requests.post(f"{server.url}/_emulator/reset", headers=headers, timeout=10)
        assert answer.status_code == 403, (headers, answer.text)
        assert "from a page of another site" in answer.json()["error"]
        form = requests.post(f"{server.url}/_emulator/fops/run", headers=headers, timeout=10,
                             data={"bucket": PUBLIC, "key": "kept.txt", "fops": "qhash/md5"})
        assert form.status_code == 403, form.text
    assert requests.get(f"{server.url}/_io/{PUBLIC}/kept.txt", timeout=10).content == b"kept"
    assert requests.get(f"{server.url}/_emulator/jobs", timeout=10).json()["jobs"] == []


def test_the_console_page_and_clients_still_write(server):
    """The console's own page sends its own origin; curl, SDKs and tests send none."""
    same = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    assert requests.post(f"{server.url}/_emulator/reset", headers=same, timeout=10).status_code == 200
    assert requests.post(f"{server.url}/_emulator/reset", timeout=10).status_code == 200
    assert requests.get(f"{server.url}/_emulator/health", headers={"Origin": "https://evil.example"},
                        timeout=10).status_code == 200  # reads are not writes
