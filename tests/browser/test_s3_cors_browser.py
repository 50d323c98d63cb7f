"""A page in chromium (its CORS checks on) talks to the S3 door with presigned URLs: the
bucket's CORS rules, set through boto3, let it PUT (after a preflight) and read the body and
the exposed ETag; a bucket whose rules leave the page out is refused before anything is stored.

Needs chromium with chromedriver and boto3; without them it skips and says how to get them.
"""

from __future__ import annotations

import json

import pytest
from page_server import PageServer, run_page
from support import ACCESS_KEY, SECRET_KEY
from ui.ui_support import browser_session

boto3 = pytest.importorskip("boto3", reason="boto3 is not installed: pip install -e '.[test]'")
pytestmark = pytest.mark.timeout(120)

PAGE_SCRIPT = """
const s = JSON.parse(document.getElementById('settings').textContent);
window.results = {};
async function step(name, run) {
  try { window.results[name] = {ok: true, detail: await run()}; }
  catch (err) { window.results[name] = {ok: false, detail: String(err)}; }
}
(async () => {
  const put = {method: 'PUT', headers: {'Content-Type': 'text/plain'}, body: 'from the page'};
  await step('put', async () => (await fetch(s.putUrl, put)).status);
  await step('get', async () => {
    const answer = await fetch(s.getUrl);
    return [answer.status, await answer.text(), answer.headers.get('ETag')];
  });
  await step('refused', async () => (await fetch(s.refusedUrl, put)).status);
  window.done = true;
})();
"""


@pytest.fixture(scope="module")
def driver():
    with browser_session() as driver:
        yield driver


def test_a_page_uploads_and_reads_through_the_s3_door_as_its_cors_rules_allow(start_emulator, driver, tmp_path):
    server = start_emulator(buckets=["demo-bucket", "strict-bucket"])
    s3 = boto3.client("s3", endpoint_url=server.s3_url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                      region_name="cn-east-1")
    with PageServer(tmp_path) as page:
        s3.put_bucket_cors(Bucket="demo-bucket", CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": [page.origin], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"]}]})
        s3.put_bucket_cors(Bucket="strict-bucket", CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": ["https://elsewhere.example"], "AllowedMethods": ["GET", "PUT"]}]})
        settings = {
            "putUrl": s3.generate_presigned_url("put_object", Params={"Bucket": "demo-bucket", "Key": "page.txt",
                                                                      "ContentType": "text/plain"}),
            "getUrl": s3.generate_presigned_url("get_object", Params={"Bucket": "demo-bucket", "Key": "page.txt"}),
            "refusedUrl": s3.generate_presigned_url("put_object", Params={
                "Bucket": "strict-bucket", "Key": "page.txt", "ContentType": "text/plain"}),
        }
        (tmp_path / "index.html").write_text(
            "<!doctype html><meta charset=utf-8><title>S3 CORS</title>"
            f"<script type=application/json id=settings>{json.dumps(settings)}</script>"
            f"<script>{PAGE_SCRIPT}</script>", encoding="utf-8")
        results = run_page(driver, page, timeout=60)
    assert results["put"] == {"ok": True, "detail": 200}
    status, body, etag = results["get"]["detail"]
    assert (status, body) == (200, "from the page") and etag == s3.head_object(Bucket="demo-bucket", Key="page.txt")["ETag"]
    assert not results["refused"]["ok"] and "Failed to fetch" in results["refused"]["detail"]
    assert s3.list_objects_v2(Bucket="strict-bucket")["KeyCount"] == 0
    preflights = [r for r in server.emulator.requests.recent(100) if r.method == "OPTIONS"]
    assert len(preflights) >= 2  # the browser asked before each PUT
