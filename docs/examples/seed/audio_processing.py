"""The seed's audio processing example, against `make serve-seed` (see the README)."""

from qiniu_fop import Auth, PersistentFop, build_op, op_save

access_key, secret_key = "qiniu-emulator-ak", "qiniu-emulator-sk"   # QINIU_EMULATOR_URL names the emulator
auth = Auth(access_key, secret_key)
pfop = PersistentFop(auth, 'audio-bucket')

# Audio format conversion and quality adjustment
mp3_convert = build_op('avthumb', 'mp3', ab='192k', ar=44100)
aac_convert = build_op('avthumb', 'aac', ab='128k', ar=44100)

# Audio effects (built, not submitted, as in the seed)
volume_adjust = build_op('avthumb', 'mp3', ab='192k', af='volume=1.5')
fade_effect = build_op('avthumb', 'mp3', ab='192k', af='afade=t=in:ss=0:d=3,afade=t=out:st=57:d=3')

mp3_fops = op_save(mp3_convert, 'output-bucket', 'audio.mp3')
aac_fops = op_save(aac_convert, 'output-bucket', 'audio.aac')
fops = f"{mp3_fops};{aac_fops}"
ret, info = pfop.execute('source-audio.wav', fops=fops)
assert info.ok(), info

# Not in the seed: wait for the results.
ret, info = pfop.wait(ret['persistentId'], timeout=120)
for item in ret['items']:
    print(f"Output: {item['key']}" if item['code'] == 0 else f"Error: {item['error']}")
