"""The reference receiver (API.md): verifies signatures, stores each message id once, lists
what it holds, can be told to fail or stall, and keeps its store across a restart."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from hotline.exchange import signing
from hotline.exchange.mock import MockProvince

SECRET = "s3cret"


def push(url: str, body: dict, *, secret: str = SECRET, message_id: str | None = None):
    raw = json.dumps(body).encode()
    headers = signing.sign_headers(
        secret=secret, partner="zhumadian-12345", message_id=message_id or body["id"], body=raw
    )
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def control(url: str, **wanted):
    data = json.dumps(wanted).encode()
    request = urllib.request.Request(url + "control", data=data, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_it_stores_each_message_once_and_refuses_bad_signatures():
    with MockProvince(secret=SECRET) as mock:
        body = {"id": str(uuid.uuid4()), "ticket": "ZMD1", "seq": 1}
        assert push(mock.url, body) == (200, {"ok": True, "duplicate": False})
        assert push(mock.url, body) == (200, {"ok": True, "duplicate": True})
        status, error = push(mock.url, {"id": "x", "seq": 2}, secret="wrong")
        assert status == 401 and error["error"]["code"] == "bad_signature"
        status, error = push(mock.url, {"id": "y"}, message_id="z")
        assert status == 422
        assert get(mock.url + "messages") == [body]
        stats = get(mock.url + "stats")
        assert (stats["stored"], stats["duplicates"], stats["rejected"]) == (1, 1, 2)


def test_it_can_be_told_to_fail_and_stall():
    with MockProvince(secret=SECRET) as mock:
        assert control(mock.url, fail_rate=1.0, stall_ms=150) == {
            "fail_rate": 1.0,
            "stall_ms": 150,
        }
        started = time.monotonic()
        status, error = push(mock.url, {"id": "a"})
        assert status == 503 and error["error"]["code"] == "injected_failure"
        assert time.monotonic() - started >= 0.15
        control(mock.url, fail_rate=0.0, stall_ms=0)
        assert push(mock.url, {"id": "a"})[0] == 200
        assert [m["id"] for m in get(mock.url + "messages")] == ["a"]


def test_a_restarted_receiver_keeps_its_store(tmp_path: Path):
    store = tmp_path / "province.jsonl"
    with MockProvince(secret=SECRET, path=store) as mock:
        push(mock.url, {"id": "kept"})
    with MockProvince(secret=SECRET, path=store) as again:
        assert push(again.url, {"id": "kept"})[1]["duplicate"] is True
        assert [m["id"] for m in get(again.url + "messages")] == ["kept"]


def test_the_command_runs_a_real_receiver(tmp_path: Path):
    import socket

    from tests.cli.process import HOTLINE

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(HOTLINE)] if HOTLINE.exists() else [sys.executable, "-m", "hotline"]
    env = {"HOTLINE_ENV": "test", "HOTLINE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(  # noqa: S603 — our own command
        [*command, "exchange", "mock-province", "--port", str(port), "--secret", SECRET],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            try:
                get(url + "health")
                break
            except OSError:
                time.sleep(0.1)
        assert push(url, {"id": "one"})[0] == 200
        assert get(url + "messages") == [{"id": "one"}]
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "mock province on" in process.stdout.read()


@pytest.mark.parametrize("bad", [b"{", b"[1]"])
def test_control_refuses_garbage(bad):
    with MockProvince(secret=SECRET) as mock:
        request = urllib.request.Request(mock.url + "control", data=bad, method="POST")  # noqa: S310
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
        assert refused.value.code == 422
