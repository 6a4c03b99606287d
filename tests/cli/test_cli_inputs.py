"""Bad options of the `hotline` subcommands (API.md "Command line"): each is refused with a
non-zero exit and one readable line, before anything is written or started."""

from __future__ import annotations

import pytest

from .process import run_main, the_one_line

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["routing", "suggest", "路灯不亮", "-k", "0"], "-k"),
        (["exchange", "relay", "--once", "--limit", "-1"], "--limit"),
        (["exchange", "relay", "--once", "--limit", "0"], "--limit"),
        (["exchange", "relay", "--interval", "-1"], "--interval"),
        (["exchange", "mock-province", "--stall-ms", "-5"], "--stall-ms"),
        (["exchange", "mock-province", "--fail-rate", "2"], "--fail-rate"),
        (["exchange", "mock-province", "--store", "/nonexistent/dir/x.jsonl"], "/nonexistent"),
        (["exchange", "redrive", "--partner", "nosuch"], "nosuch"),
        (["exchange", "create-key", ""], "client name"),
        (["exchange", "create-key", "has space"], "client name"),
    ],
)
def test_a_bad_option_is_refused_with_one_line(monkeypatch, capsys, args, says):
    # when a subcommand gets a value it cannot use
    code, _out, err = run_main(monkeypatch, capsys, *args)
    # then it exits non-zero with one line naming what is wrong (it used to run, loop or crash)
    assert code == 1
    assert says in the_one_line(err)


def test_the_receiver_refuses_a_directory_or_a_bad_file_as_its_store(monkeypatch, capsys, tmp_path):
    # given a --store that is a directory, then a file that is not JSON Lines
    bad = tmp_path / "pushes.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    for store, says in [(tmp_path, "directory"), (bad, "pushes.jsonl")]:
        # when the reference receiver is started with it
        code, _out, err = run_main(
            monkeypatch, capsys, "exchange", "mock-province", "--store", str(store)
        )
        # then it refuses at start with one line naming the file, never a traceback
        assert code == 1
        assert says in the_one_line(err)


def test_create_key_does_not_replace_an_existing_key_without_rotate(monkeypatch, capsys):
    from hotline.exchange.models import ClientKey

    # given a client with a key
    code, _out, _err = run_main(monkeypatch, capsys, "exchange", "create-key", "county-app")
    assert code == 0
    digest = ClientKey.objects.get(name="county-app").digest
    # when a key is created again under the same name
    code, _out, err = run_main(monkeypatch, capsys, "exchange", "create-key", "county-app")
    # then it is refused and the client's key still works
    assert code == 1
    assert "--rotate" in the_one_line(err)
    assert ClientKey.objects.get(name="county-app").digest == digest
    # and with --rotate it is replaced, the new key printed once
    code, _out, _err = run_main(
        monkeypatch, capsys, "exchange", "create-key", "county-app", "--rotate"
    )
    assert code == 0
    assert ClientKey.objects.get(name="county-app").digest != digest
