"""The seed's video processing example, against `make serve-seed` (see the README)."""

from qiniu_fop import Auth, PersistentFop, build_op, op_save

access_key, secret_key = "qiniu-emulator-ak", "qiniu-emulator-sk"   # QINIU_EMULATOR_URL names the emulator
auth = Auth(access_key, secret_key)
pfop = PersistentFop(auth, 'video-bucket',
                     pipeline='video-processing',
                     notify_url='https://api.example.com/processing-callback')

# Convert to MP4 H.264 with different quality levels
hd_transcode = build_op('avthumb', 'mp4', vcodec='libx264', acodec='aac', vb='2000k', ab='128k',
                        r=30, s='1920x1080')
sd_transcode = build_op('avthumb', 'mp4', vcodec='libx264', acodec='aac', vb='1000k', ab='96k',
                        r=30, s='1280x720')
# Create thumbnail
thumbnail = build_op('vframe', 'jpg', offset=10, w=320, h=240)

hd_fops = op_save(hd_transcode, 'output-bucket', 'video-hd.mp4')
sd_fops = op_save(sd_transcode, 'output-bucket', 'video-sd.mp4')
thumb_fops = op_save(thumbnail, 'output-bucket', 'video-thumb.jpg')

# Several commands in one string: our client sends it as it is (the official SDK wants a list)
all_fops = f"{hd_fops};{sd_fops};{thumb_fops}"
ret, info = pfop.execute('source-video.mov', fops=all_fops, force=True)
if info.ok():
    print(f"Video processing started: {ret['persistentId']}")
    # Not in the seed: wait for the results. example.com takes no callbacks, so the job
    # ends with code 4 (done, notification failed) once the emulator has tried it.
    ret, info = pfop.wait(ret['persistentId'], timeout=300)
    for item in ret['items']:
        print(f"Output: {item['key']}" if item['code'] == 0 else f"Error: {item['error']}")
else:
    print(f"Video processing failed to start: {info.error}")
