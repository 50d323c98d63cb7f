"""The seed's document processing example, against `make serve-seed` (see the README).

`type/pdf/dpi/150/page/1` is the seed's spelling, which the emulator accepts beside the
documented `ext=pdf/.../page_number=1` (an emulator extension: the real service does not).
"""

from qiniu_fop import Auth, PersistentFop, build_op, op_save

access_key, secret_key = "qiniu-emulator-ak", "qiniu-emulator-sk"   # QINIU_EMULATOR_URL names the emulator
auth = Auth(access_key, secret_key)
pfop = PersistentFop(auth, 'document-bucket')

# PDF to image conversion
pdf_to_image = build_op('yifangyun_preview', 'v2', type='pdf', dpi=150, page=1, format='jpg')
# Document preview generation (built, not submitted, as in the seed)
doc_preview = build_op('yifangyun_preview', 'v2', type='doc', page=1, format='png', quality=85)

pdf_fops = op_save(pdf_to_image, 'output-bucket', 'document-page1.jpg')
ret, info = pfop.execute('document.pdf', fops=pdf_fops)
assert info.ok(), info

# Not in the seed: wait for the result.
ret, info = pfop.wait(ret['persistentId'], timeout=120)
for item in ret['items']:
    print(f"Output: {item['key']}" if item['code'] == 0 else f"Error: {item['error']}")
