"""The emulator's development key pair is never sent to the real service."""

from __future__ import annotations

import pytest

from qiniu_fop import Auth, BucketManager, Config, PersistentFop, put_data
from qiniu_fop.auth import QBoxRequestsAuth
from qiniu_fop.guard import DevelopmentKeyRefused, check_destination

DEV = Auth("qiniu-emulator-ak", "qiniu-emulator-sk")
REAL_HOSTS = Config()  # what a client uses when QINIU_EMULATOR_URL was forgotten


def assert_refused(ret, info) -> None:
    assert ret is None and not info.ok()
    assert info.status_code == -1 and isinstance(info.exception, DevelopmentKeyRefused)
    assert "development key pair" in info.error and "export QINIU_EMULATOR_URL=http://127.0.0.1:9000" in info.error


def test_pfop_with_the_development_keys_is_not_sent_to_qiniu():
    assert_refused(*PersistentFop(DEV, "demo-bucket", config=REAL_HOSTS).execute("a.jpg", fops="imageInfo"))
    assert_refused(*PersistentFop(DEV, "demo-bucket", config=REAL_HOSTS).get_status("z0.abc"))


def test_uploads_and_bucket_calls_with_the_development_keys_are_not_sent_to_qiniu():
    token = DEV.upload_token("demo-bucket", "a.txt")
    assert_refused(*put_data(token, "a.txt", b"hello", config=REAL_HOSTS))
    assert_refused(*BucketManager(DEV, config=REAL_HOSTS).stat("demo-bucket", "a.txt"))


@pytest.mark.parametrize("url", ["https://api.qiniuapi.com/pfop/", "https://upload.qiniup.com/",
                                 "http://rs.qbox.me/stat/x", "https://cdn.example.clouddn.com/a.jpg"])
def test_every_qiniu_domain_is_guarded(url):
    with pytest.raises(DevelopmentKeyRefused):
        check_destination(url, QBoxRequestsAuth(DEV))


def test_own_keys_and_the_emulator_pass():
    check_destination("https://api.qiniuapi.com/pfop/", QBoxRequestsAuth(Auth("my-ak", "my-sk")))
    check_destination("http://127.0.0.1:9000/pfop/", QBoxRequestsAuth(DEV))
    check_destination("http://api.qiniuapi.com.example.org/pfop/", QBoxRequestsAuth(DEV))
