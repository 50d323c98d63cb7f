"""The seed's custom processing pipeline example, against `make serve-seed` (see the README)."""

from qiniu_fop import Auth, PersistentFop, build_op, op_save, pipe_cmd

access_key, secret_key = "qiniu-emulator-ak", "qiniu-emulator-sk"   # QINIU_EMULATOR_URL names the emulator
auth = Auth(access_key, secret_key)
pfop = PersistentFop(auth, 'pipeline-bucket', pipeline='custom-pipeline')


def create_image_variants(source_key, base_name):
    """Create multiple image variants from source"""
    variants = [
        {'suffix': '_thumb', 'w': 150, 'h': 150, 'format': 'jpg'},
        {'suffix': '_medium', 'w': 800, 'h': 600, 'format': 'webp'},
        {'suffix': '_large', 'w': 1920, 'h': 1440, 'format': 'webp'},
        {'suffix': '_avatar', 'w': 64, 'h': 64, 'format': 'png'}
    ]
    fops_list = []
    for variant in variants:
        resize_op = build_op('imageView2', '2', w=variant['w'], h=variant['h'], format=variant['format'])
        # Add quality optimization for WebP
        if variant['format'] == 'webp':
            quality_op = build_op('imageMogr2', 'quality', 75)
            combined_op = pipe_cmd(resize_op, quality_op)
        else:
            combined_op = resize_op
        output_key = f"{base_name}{variant['suffix']}.{variant['format']}"
        fops_list.append(op_save(combined_op, 'variants-bucket', output_key))
    all_fops = ';'.join(fops_list)
    return pfop.execute(source_key, fops=all_fops)


ret, info = create_image_variants('original-photo.jpg', 'photo')
if info.ok():
    print(f"Variant processing started: {ret['persistentId']}")
    # Not in the seed: wait for the results.
    ret, info = pfop.wait(ret['persistentId'], timeout=120)
    for item in ret['items']:
        print(f"Output: {item['key']}" if item['code'] == 0 else f"Error: {item['error']}")
else:
    print(f"Variant processing failed to start: {info.error}")
