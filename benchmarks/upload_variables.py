"""What the file's own upload variables cost (not run by CI).

    .venv/bin/python benchmarks/upload_variables.py [--rounds 15]

Form uploads of one 4000x3000 JPEG (a few MB) to a served emulator, alternating round
by round: a returnBody that names only ``$(key)`` and ``$(fsize)`` (the file is not read
again) against the same plus ``$(imageInfo.width)``, ``$(imageInfo.height)`` and
``$(exif.Model.val)`` (the header is read once more; target ratio <= 1.15, since Pillow
reads the header without decoding the pixels). Prints each median and the ratio.
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import qiniu
from PIL import Image

import served

PLAIN = '{"key":$(key),"size":$(fsize)}'
WITH_FILE = '{"key":$(key),"size":$(fsize),"w":$(imageInfo.width),"h":$(imageInfo.height),"model":$(exif.Model.val)}'


def photo() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "Bench Cam"
    out = io.BytesIO()
    picture = Image.merge("RGB", [Image.effect_noise((4000, 3000), 8), Image.linear_gradient("L").resize((4000, 3000)),
                                  Image.radial_gradient("L").resize((4000, 3000))])
    picture.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def upload(auth: qiniu.Auth, key: str, data: bytes, body: str) -> float:
    token = auth.upload_token(served.BUCKET, key, 3600, {"returnBody": body})
    started = time.perf_counter()
    ret, info = qiniu.put_data(token, key, data)
    elapsed = time.perf_counter() - started
    assert info.status_code == 200, info
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    data = photo()
    with tempfile.TemporaryDirectory() as tmp:
        port = served.free_port()
        proc = served.start(Path(tmp), port)
        try:
            url = f"http://127.0.0.1:{port}"
            qiniu.config.set_default(default_rs_host=url, default_uc_host=url, default_query_region_host=url)
            auth = qiniu.Auth(served.ACCESS_KEY, served.SECRET_KEY)
            upload(auth, "warm.jpg", data, WITH_FILE)
            plain, with_file = [], []
            for n in range(rounds):  # each goes first every other round
                order = [(plain, PLAIN, "plain"), (with_file, WITH_FILE, "vars")]
                for times, body, name in order if n % 2 == 0 else order[::-1]:
                    times.append(upload(auth, f"{name}-{n}.jpg", data, body))
        finally:
            proc.terminate()
            proc.wait(10)
    a, b = statistics.median(plain), statistics.median(with_file)
    print(f"{len(data) / 1e6:.1f} MB JPEG, {rounds} rounds")
    print(f"returnBody without file variables: {a * 1000:.1f} ms")
    print(f"with $(imageInfo.*) and $(exif.*): {b * 1000:.1f} ms")
    print(f"ratio {b / a:.2f} (target <= 1.15)")


if __name__ == "__main__":
    main()
