"""The seed's own polling loop treats every code but 0 and 1 as a failure, but prefop answers 2
while a job runs (the real service too): copied as it is, the image example reports a failure
for a job that then finishes. ``PersistentFop.wait`` is the loop to use."""

from __future__ import annotations

import contextlib
import io
import textwrap

from PIL import Image, ImageDraw

import qiniu_fop
from qiniu_fop import Auth, BucketManager, PersistentFop, put_data

from support import ACCESS_KEY, SECRET_KEY, JobGate

# The seed's image processing example, with qiniu_fop for qiniu in its import.
SEED_IMAGE_EXAMPLE = textwrap.dedent('''
    from qiniu_fop import Auth, PersistentFop, build_op, pipe_cmd, op_save
    auth = Auth(access_key, secret_key)
    pfop = PersistentFop(auth, 'source-bucket', pipeline='image-processing')
    # Build image processing operations
    # Resize to 800x600 and convert to WebP format
    resize_op = build_op('imageView2', '2', w=800, h=600, format='webp')
    watermark_op = build_op('watermark', '1',
        image='aHR0cDovL3d3dy5xaW5pdS5jb20vaW1hZ2VzL2xvZ28ucG5n',  # Base64 encoded watermark URL
        dissolve=50,
        gravity='SouthEast',
        dx=10, dy=10)
    # Chain operations and save result
    fops = pipe_cmd(resize_op, watermark_op)
    fops = op_save(fops, 'output-bucket', 'processed-image.webp')
    # Execute processing
    ret, info = pfop.execute('original-image.jpg', fops=fops)
    if info.ok():
        persistent_id = ret['persistentId']
        print(f"Processing job started: {persistent_id}")
        # Check processing status
        import time
        while True:
            ret, info = pfop.get_status(persistent_id)
            if info.ok():
                status = ret['code']
                if status == 0:
                    print("Processing completed successfully")
                    for item in ret['items']:
                        if item['code'] == 0:
                            print(f"Output: {item['key']}")
                        else:
                            print(f"Error: {item['error']}")
                    break
                elif status == 1:
                    print("Processing in progress...")
                    time.sleep(5)
                else:
                    print(f"Processing failed: {ret['desc']}")
                    break
            else:
                print(f"Status check failed: {info.error}")
                break
''')


def logo_dir(tmp_path):
    folder = tmp_path / "qiniu.com" / "images"
    folder.mkdir(parents=True)
    logo = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((0, 0, 119, 39), fill=(220, 30, 30, 255))
    logo.save(folder / "logo.png")
    return folder.parent


def test_the_seed_loop_calls_a_running_job_failed_and_the_job_still_finishes(start_emulator, tmp_path, fop_defaults):
    server = start_emulator(buckets=["source-bucket", "output-bucket"],
                            url_map=[("http://www.qiniu.com/", logo_dir(tmp_path))])
    qiniu_fop.set_default(default_api_host=server.url)
    auth = Auth(ACCESS_KEY, SECRET_KEY)
    config = qiniu_fop.Config(up_host=server.url, rs_host=server.url)
    photo = io.BytesIO()
    Image.new("RGB", (1600, 1200), "teal").save(photo, "JPEG")
    assert put_data(auth.upload_token("source-bucket", "original-image.jpg"), "original-image.jpg",
                    photo.getvalue(), config=config)[1].ok()
    # The job is held at code 2 until the loop has looked at it once: what a slower op does.
    gate = JobGate(server.emulator)
    accept = server.emulator.jobs.accept
    server.emulator.jobs.accept = lambda job: (accept(job), gate.running.wait(30))[0]

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(SEED_IMAGE_EXAMPLE, {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY})
    started, verdict = printed.getvalue().splitlines()
    assert started.startswith("Processing job started: ")
    assert verdict == "Processing failed: The fop is executing now"

    gate.release()
    persistent_id = started.removeprefix("Processing job started: ")
    status, info = PersistentFop(auth, "source-bucket").wait(persistent_id, timeout=60)
    assert status["code"] == 0 and status["items"][0]["key"] == "processed-image.webp", status
    stat, info = BucketManager(auth, config=config).stat("output-bucket", "processed-image.webp")
    assert info.ok() and stat["mimeType"] == "image/webp"
