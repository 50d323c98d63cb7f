"""Host configuration: real-service defaults, QINIU_EMULATOR_URL and set_default."""

from __future__ import annotations

import pytest
from client_recording_server import Reply
from qiniu_fop import BucketManager, Config, PersistentFop, defaults, reset_defaults, set_default

HOSTS = ("api_host", "up_host", "rs_host", "rsf_host", "uc_host", "io_host", "dora_host")


@pytest.fixture
def clean_defaults(monkeypatch):
    monkeypatch.delenv("QINIU_EMULATOR_URL", raising=False)
    reset_defaults()
    yield monkeypatch
    monkeypatch.delenv("QINIU_EMULATOR_URL", raising=False)
    reset_defaults()


def test_defaults_are_the_real_service() -> None:
    config = Config.from_env({})
    assert config.api_host == "https://api.qiniuapi.com"
    assert config.up_host == "https://upload.qiniup.com"
    assert config.uc_host == "https://uc.qiniuapi.com"
    assert all(getattr(config, name).startswith("https://") for name in HOSTS)


def test_emulator_url_points_every_host_at_the_emulator() -> None:
    config = Config.from_env({"QINIU_EMULATOR_URL": "http://127.0.0.1:9000/"})
    assert {getattr(config, name) for name in HOSTS} == {"http://127.0.0.1:9000"}


def test_for_url_points_every_host_at_one_url_and_keeps_options() -> None:
    config = Config.for_url("127.0.0.1:9000", connection_retries=0)
    assert {getattr(config, name) for name in HOSTS} == {"http://127.0.0.1:9000"}
    assert config.connection_retries == 0
    with pytest.raises(ValueError, match="url must be"):
        Config.for_url("")


@pytest.mark.parametrize("bad", ["ftp://x", "http://h:99999", "http://h/path", "http://"])
def test_a_bad_emulator_url_names_the_variable(bad) -> None:
    with pytest.raises(ValueError, match="QINIU_EMULATOR_URL"):
        Config.from_env({"QINIU_EMULATOR_URL": bad})


def test_set_default_wins_over_the_environment(clean_defaults, server, auth) -> None:
    clean_defaults.setenv("QINIU_EMULATOR_URL", "http://127.0.0.1:1")
    reset_defaults()
    assert defaults().rs_host == "http://127.0.0.1:1"

    set_default(default_api_host=server.url, connection_timeout=5, connection_retries=0)
    server.responder = lambda req: Reply(body={"persistentId": "z0.1"})
    ret, info = PersistentFop(auth, "b").execute("k", "avinfo")

    assert ret == {"persistentId": "z0.1"}
    assert server.requests[0].path == "/pfop/"
    assert defaults().rs_host == "http://127.0.0.1:1"  # untouched hosts keep the env value


def test_set_default_accepts_bare_host_port(clean_defaults, server, auth) -> None:
    set_default(default_rs_host=server.url.removeprefix("http://"), connection_retries=0)
    server.responder = lambda req: Reply(body={"fsize": 1})
    ret, info = BucketManager(auth).stat("b", "k")
    assert ret == {"fsize": 1} and defaults().rs_host == server.url


@pytest.mark.parametrize("kwargs", [{"connection_timeout": 0}, {"connection_retries": -1},
                                    {"connection_pool": 0}, {"default_api_host": "nope://x"}])
def test_set_default_rejects_bad_values(clean_defaults, kwargs) -> None:
    before = Config.from_env({})
    with pytest.raises(ValueError):
        set_default(**kwargs)
    assert defaults() == before


def test_one_pooled_session_is_shared() -> None:
    config = Config()
    assert config.session() is config.session()
    adapter = config.session().get_adapter("http://127.0.0.1/")
    assert adapter._pool_maxsize == config.connection_pool
    config.update(connection_pool=3)
    assert config.session().get_adapter("http://127.0.0.1/")._pool_maxsize == 3


def test_proxies_from_the_environment_still_apply(monkeypatch):
    from qiniu_fop import Config

    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    session = Config().session()
    through = session.merge_environment_settings("http://api.example.com/pfop/", {}, None, None, None)
    direct = session.merge_environment_settings("http://127.0.0.1:9000/pfop/", {}, None, None, None)
    assert through["proxies"]["http"] == "http://proxy.example:3128"
    assert "http" not in direct["proxies"]
