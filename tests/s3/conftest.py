"""A boto3 client pointed at the S3 door of the test's emulator."""

from __future__ import annotations

import pytest

from s3_clients import client_for


@pytest.fixture
def s3(server):
    return client_for(server.s3_url)
