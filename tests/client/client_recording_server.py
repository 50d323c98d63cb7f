"""The recording receiver with client settings that point every host at it."""

from __future__ import annotations

from qiniu_fop import Config
from receiver import Recorded, Reply
from receiver import RecordingServer as Receiver

AK, SK = "MockAccessKey123", "MockSecretKey456"

__all__ = ["AK", "SK", "Recorded", "RecordingServer", "Reply"]


class RecordingServer(Receiver):
    def config(self, **overrides) -> Config:
        hosts = {name: self.url for name in
                 ("api_host", "up_host", "rs_host", "rsf_host", "uc_host", "io_host", "dora_host")}
        return Config(**{**hosts, "connection_retries": 0, "connection_timeout": 5, **overrides})
