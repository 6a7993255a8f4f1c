import email
import json
import mailbox as stdlib_mailbox
from decimal import Decimal
from email import policy
from pathlib import Path

from fincoach.demo import (
    DemoMailbox,
    write_eml_dir,
    write_maildir,
    write_mbox,
    write_truth,
)

from .conftest import END, START


def _box() -> DemoMailbox:
    return DemoMailbox(seed=11, count=400, start=START, end=END)


def _subjects(box: DemoMailbox) -> list[str]:
    return sorted(
        str(email.message_from_bytes(m.raw, policy=policy.default)["Subject"]) for m in box
    )


def test_maildir_reads_back(tmp_path: Path) -> None:
    box = _box()
    write_maildir(box, tmp_path / "md")
    md = stdlib_mailbox.Maildir(tmp_path / "md", factory=None, create=False)
    assert len(md) == len(box)
    unread = sum("UNREAD" in m.labels for m in box)
    assert len(list((tmp_path / "md" / "new").iterdir())) == unread
    assert not list((tmp_path / "md" / "tmp").iterdir())
    read_back = sorted(str(msg["Subject"]) for msg in md)
    assert len(read_back) == len(box)
    # Same files, same bytes: what the Gmail emulator serves is what the Maildir holds.
    raws = {m.raw for m in box}
    assert all(p.read_bytes() in raws for p in (tmp_path / "md" / "cur").iterdir())


def test_maildir_is_deterministic(tmp_path: Path) -> None:
    write_maildir(_box(), tmp_path / "a")
    write_maildir(_box(), tmp_path / "b")
    names_a = sorted(p.name for p in (tmp_path / "a").rglob("*") if p.is_file())
    names_b = sorted(p.name for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert names_a == names_b and len(names_a) == 400


def test_eml_dir_holds_the_exact_bytes_with_mtimes(tmp_path: Path) -> None:
    box = _box()
    write_eml_dir(box, tmp_path / "eml")
    assert len(list((tmp_path / "eml").glob("*.eml"))) == len(box)
    for message in box:
        path = tmp_path / "eml" / f"{message.message_id}.eml"
        assert path.read_bytes() == message.raw
        assert int(path.stat().st_mtime) == int(message.internal_date.timestamp())


def test_mbox_reads_back_with_the_same_messages(tmp_path: Path) -> None:
    box = _box()
    write_mbox(box, tmp_path / "demo.mbox")
    mb = stdlib_mailbox.mbox(tmp_path / "demo.mbox", create=False)
    assert len(mb) == len(box)
    for stored, message in zip(mb, box, strict=True):
        original = email.message_from_bytes(message.raw, policy=policy.compat32)
        assert stored["Message-ID"] == original["Message-ID"]
        assert stored.get_payload(decode=False) is not None
        for got, want in zip(stored.walk(), original.walk(), strict=True):
            if not want.is_multipart():
                # mbox is an LF format: compare bodies with line ends normalised.
                got_body = got.get_payload(decode=True).replace(b"\r\n", b"\n")
                want_body = want.get_payload(decode=True).replace(b"\r\n", b"\n")
                assert got_body == want_body


def test_truth_jsonl(tmp_path: Path) -> None:
    box = _box()
    write_truth(box, tmp_path / "truth.jsonl")
    lines = (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    expected = box.truth()
    assert len(lines) == len(expected) > 100
    for line, (message_id, t) in zip(lines, expected, strict=True):
        record = json.loads(line)
        assert record["message_id"] == message_id
        assert isinstance(record["amount"], str) and Decimal(record["amount"]) == t.amount
        assert record["occurred_at"] == t.occurred_at.isoformat()
        assert record["category"] == t.category and record["position"] == t.position
