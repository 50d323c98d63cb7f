"""kill -9 of a served emulator while clients upload at once: every upload that was
answered 200 is there after a restart, with its bytes."""

from __future__ import annotations

import threading

import requests
from qiniu import Auth

from support import ACCESS_KEY, SECRET_KEY, ServeProcess

WRITERS = 6


def test_kill_dash_nine_during_concurrent_uploads_keeps_every_answered_upload(tmp_path):
    data = tmp_path / "data"
    first = ServeProcess(data).start()
    token = Auth(ACCESS_KEY, SECRET_KEY).upload_token("demo-bucket")
    answered: dict[str, bytes] = {}
    lock = threading.Lock()
    enough = threading.Event()

    errors: list[BaseException] = []

    def uploader(worker: int) -> None:
        try:
            upload_until_killed(worker)
        except BaseException as exc:  # noqa: BLE001 - a failure in a thread is the test's
            errors.append(exc)

    def upload_until_killed(worker: int) -> None:
        session = requests.Session()
        for n in range(10_000):
            key = f"crash/{worker}/{n}"
            body = f"{key} ".encode() * 50
            try:
                response = session.post(first.url, data={"token": token, "key": key},
                                        files={"file": ("f", body)}, timeout=30)
            except requests.ConnectionError:
                return  # the server is gone: this upload was never answered
            assert response.status_code == 200, response.text
            with lock:
                answered[key] = body
                if len(answered) >= 120:
                    enough.set()

    threads = [threading.Thread(target=uploader, args=(n,), daemon=True) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    assert enough.wait(120), "the uploads did not get going"
    first.stop()  # SIGKILL while the other uploads are under way
    for thread in threads:
        thread.join(30)
    assert errors == [] and not any(thread.is_alive() for thread in threads)
    second = ServeProcess(data, port=first.port).start()
    try:
        with lock:
            expected = dict(answered)
        for key, body in expected.items():
            response = requests.get(f"{second.url}/_io/demo-bucket/{key}", timeout=30)
            assert (response.status_code, response.content) == (200, body), key
    finally:
        second.stop()
