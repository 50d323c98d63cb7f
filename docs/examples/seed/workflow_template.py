"""The seed's workflow template example, against `make serve-seed` (see the README), which
defines `workflow-template-123` as `imageView2/2/w/400/h/300/format/webp;imageInfo`."""

from qiniu_fop import Auth, PersistentFop

access_key, secret_key = "qiniu-emulator-ak", "qiniu-emulator-sk"   # QINIU_EMULATOR_URL names the emulator
auth = Auth(access_key, secret_key)
pfop = PersistentFop(auth, 'workflow-bucket')

# Use predefined workflow template
ret, info = pfop.execute(
    key='input-file.jpg',
    workflow_template_id='workflow-template-123',
    persistent_type=2  # Workflow processing type
)
if info.ok():
    persistent_id = ret['persistentId']
    print(f"Workflow processing started: {persistent_id}")
    # Not in the seed: wait for the results.
    ret, info = pfop.wait(persistent_id, timeout=120)
    print(f"{ret['taskFrom']}: code {ret['code']}")
else:
    print(f"Workflow processing failed to start: {info.error}")
