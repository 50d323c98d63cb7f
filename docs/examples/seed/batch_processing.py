"""The seed's batch processing example, against `make serve-seed` (see the README).

The seed's monitor treats prefop's code 2 (running) as a failure and ends with
`input("Press Enter to exit...")`; here each monitor waits with `wait()` and the script
joins its threads.
"""

import threading

from qiniu_fop import Auth, PersistentFop, build_op, op_save

access_key, secret_key = "qiniu-emulator-ak", "qiniu-emulator-sk"   # QINIU_EMULATOR_URL names the emulator
auth = Auth(access_key, secret_key)
pfop = PersistentFop(auth, 'batch-bucket')


def monitor_processing(persistent_id, file_name):
    """Monitor processing status in separate thread"""
    ret, info = pfop.wait(persistent_id, timeout=120)
    if ret['code'] == 0:
        print(f"✓ {file_name} processing completed")
    else:
        print(f"✗ {file_name} processing failed: {ret['desc']}")


# Process multiple files
files_to_process = ['image1.jpg', 'image2.png', 'image3.gif']
resize_op = build_op('imageView2', '2', w=400, h=300, format='webp')
threads = []
for file_name in files_to_process:
    output_key = file_name.rsplit('.', 1)[0] + '_resized.webp'
    fops = op_save(resize_op, 'output-bucket', output_key)
    ret, info = pfop.execute(file_name, fops=fops)
    if info.ok():
        persistent_id = ret['persistentId']
        print(f"Started processing {file_name}: {persistent_id}")
        thread = threading.Thread(target=monitor_processing, args=(persistent_id, file_name))
        thread.daemon = True
        thread.start()
        threads.append(thread)
    else:
        print(f"Failed to start processing {file_name}: {info.error}")

for thread in threads:
    thread.join()
