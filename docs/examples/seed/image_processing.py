"""The seed's image processing example, against `make serve-seed` (see the README)."""

from qiniu_fop import Auth, PersistentFop, build_op, op_save, pipe_cmd

access_key, secret_key = "qiniu-emulator-ak", "qiniu-emulator-sk"   # QINIU_EMULATOR_URL names the emulator
auth = Auth(access_key, secret_key)
pfop = PersistentFop(auth, 'source-bucket', pipeline='image-processing')

# Resize to 800x600 and convert to WebP format
resize_op = build_op('imageView2', '2', w=800, h=600, format='webp')
watermark_op = build_op('watermark', '1',
                        image='aHR0cDovL3d3dy5xaW5pdS5jb20vaW1hZ2VzL2xvZ28ucG5n',  # http://www.qiniu.com/images/logo.png
                        dissolve=50,
                        gravity='SouthEast',
                        dx=10, dy=10)

# Chain operations and save result
fops = pipe_cmd(resize_op, watermark_op)
fops = op_save(fops, 'output-bucket', 'processed-image.webp')

ret, info = pfop.execute('original-image.jpg', fops=fops)
if info.ok():
    persistent_id = ret['persistentId']
    print(f"Processing job started: {persistent_id}")
    # The seed polls prefop until code 0, calling 2 (running) a failure; wait() returns once it ends.
    ret, info = pfop.wait(persistent_id, timeout=120)
    if ret['code'] == 0:
        print("Processing completed successfully")
        for item in ret['items']:
            if item['code'] == 0:
                print(f"Output: {item['key']}")
            else:
                print(f"Error: {item['error']}")
    else:
        print(f"Processing failed: {ret['desc']}")
else:
    print(f"Processing failed to start: {info.error}")
