"""Start-up stays light: serving does not import an op family's media libraries.

PyAV, pypdfium2, pillow-heif, Pillow, ffmpeg-python and the TLS stack are imported by the
first op (or ``--tls``) that needs them; a fresh interpreter that starts an emulator and
answers its health check and console must not have loaded them.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("av", "pypdfium2", "pillow_heif", "PIL", "ffmpeg", "trustme")

STARTS_AND_REPORTS = """
import json, sys, tempfile, urllib.request
from qiniu_emulator.config import Settings
from qiniu_emulator.server import start_in_thread
server = start_in_thread(Settings(port=0, data=tempfile.mkdtemp(), log_level="ERROR"))
try:
    statuses = [urllib.request.urlopen(server.admin_url + path).status for path in ("/_emulator/health", "/_emulator/ui/")]
finally:
    server.stop()
print(json.dumps({"statuses": statuses, "loaded": [m for m in HEAVY if m in sys.modules]}))
"""


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{code}"], capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_server_loads_no_media_library():
    report = _run("import json, sys\nimport qiniu_emulator.server\nimport qiniu_emulator.cli\n"
                  "print(json.dumps({'loaded': [m for m in HEAVY if m in sys.modules]}))")
    assert report["loaded"] == []


def test_a_started_emulator_answers_without_media_libraries():
    report = _run(STARTS_AND_REPORTS)
    assert report == {"statuses": [200, 200], "loaded": []}


def test_an_image_op_loads_pillow_on_first_use():
    report = _run("import json, sys\nfrom qiniu_emulator.fops.image import io\n"
                  "before = 'PIL' in sys.modules\nio.Image.new('RGB', (2, 2))\n"
                  "print(json.dumps({'loaded': [before, 'PIL' in sys.modules]}))")
    assert report["loaded"] == [False, True]
