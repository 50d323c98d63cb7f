"""Region contracts: told only the uc host, each client finds a bucket in another region and
works there; pinned to another region's up host, it gets Qiniu's "incorrect region" answer
naming the right one. Run through both clients (``region_client``) against the
multi-region emulator (``qiniu_emulator_regions``)."""

from __future__ import annotations

from .clients import ContractClient, wait_job
from .targets import REGION_BUCKETS

FAR = "region-far"
HOME_REGION, FAR_REGION = REGION_BUCKETS["region-home"], REGION_BUCKETS[FAR]


def up_host(server, region: str) -> str:
    return f"127.0.0.1:{server.emulator.regions.ports(region, 'up')[0]}"


def uploads_reached(server) -> set[str]:
    return {r.host for r in server.emulator.requests.recent(200) if r.method == "POST" and r.path == "/"}


def test_a_bucket_in_another_region_is_found_through_uc(region_client: ContractClient, qiniu_emulator_regions):
    key = f"{region_client.name}/found.txt"
    reply = region_client.put_data(FAR, key, b"hello region")
    assert reply.status == 200, reply.text
    assert up_host(qiniu_emulator_regions, FAR_REGION) in uploads_reached(qiniu_emulator_regions)
    stat = region_client.stat(FAR, key)
    assert stat.status == 200 and stat.ret["fsize"] == 12, stat.text
    listed, _ = region_client.list(FAR, f"{region_client.name}/")
    assert [item["key"] for item in listed.ret["items"]] == [key], listed.text


def test_a_job_on_a_bucket_in_another_region(region_client: ContractClient):
    key = f"{region_client.name}/job.txt"
    assert region_client.put_data(FAR, key, b"hello job").status == 200
    submitted = region_client.pfop(FAR, key, "qhash/md5")
    assert submitted.status == 200, submitted.text
    persistent_id = submitted.ret["persistentId"]
    assert persistent_id.startswith(f"{FAR_REGION}.")  # Qiniu's ids name the region that runs the job
    status = wait_job(region_client, persistent_id, region_client.target)
    assert status["code"] == 0 and status["items"][0]["hash"], status


def test_an_upload_pinned_to_another_region_names_the_right_host(region_client: ContractClient,
                                                                 qiniu_emulator_regions):
    wrong = f"http://{up_host(qiniu_emulator_regions, HOME_REGION)}"
    reply = region_client.put_data_at(wrong, FAR, f"{region_client.name}/pinned.txt", b"x")
    assert reply.status == 400
    right = up_host(qiniu_emulator_regions, FAR_REGION)
    assert reply.error() == f"incorrect region, please use {right}, bucket is: {FAR}"
