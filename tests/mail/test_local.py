import mailbox
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from fincoach.mail.base import TimeWindow
from fincoach.mail.local import LocalMailSource

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _message(index: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "alerts@bank.example"
    msg["Subject"] = f"Alert {index}"
    msg["Message-ID"] = f"<m{index}@bank.example>"
    msg["Date"] = format_datetime(START + timedelta(days=index))
    msg.set_content(f"Rs. {index}.00 debited")
    return msg.as_bytes()


def _write(layout: str, root: Path, count: int) -> Path:
    if layout == "eml":
        folder = root / "eml"
        folder.mkdir()
        for i in range(count):
            (folder / f"id{i:03d}.eml").write_bytes(_message(i))
        return folder
    if layout == "maildir":
        box = mailbox.Maildir(root / "maildir", create=True)
        for i in range(count):
            box.add(_message(i))
        return root / "maildir"
    box_mbox = mailbox.mbox(root / "mail.mbox", create=True)
    for i in range(count):
        box_mbox.add(_message(i))
    box_mbox.flush()
    return root / "mail.mbox"


@pytest.mark.parametrize("layout", ["eml", "maildir", "mbox"])
def test_each_layout_lists_in_date_order_and_fetches_the_bytes(layout: str, tmp_path: Path) -> None:
    source = LocalMailSource(_write(layout, tmp_path, 5))
    ids = list(source.list_message_ids(TimeWindow()))
    assert len(ids) == 5
    fetched = source.fetch(ids)
    subjects = [f.raw.split(b"Subject: ")[1].split(b"\n")[0].strip() for f in fetched if f.raw]
    assert subjects == [f"Alert {i}".encode() for i in range(5)]
    # Ids are stable: a second source over the same files agrees.
    assert list(LocalMailSource(source.path).list_message_ids(TimeWindow())) == ids


def test_window_is_half_open(tmp_path: Path) -> None:
    source = LocalMailSource(_write("eml", tmp_path, 5))
    window = TimeWindow(since=START + timedelta(days=1), until=START + timedelta(days=3))
    assert list(source.list_message_ids(window)) == ["id001", "id002"]


def test_changes_after_cursor(tmp_path: Path) -> None:
    folder = _write("eml", tmp_path, 3)
    source = LocalMailSource(folder)
    cursor = source.current_cursor()
    assert cursor is not None
    (folder / "id009.eml").write_bytes(_message(9))
    assert list(LocalMailSource(folder).list_changes(cursor)) == ["id009"]


def test_missing_message_is_reported_not_raised(tmp_path: Path) -> None:
    source = LocalMailSource(_write("eml", tmp_path, 1))
    [missing, bad] = source.fetch(["nope", "../etc"])
    assert missing.raw is None and missing.error
    assert bad.raw is None and bad.error == "invalid message id"


@pytest.mark.parametrize(
    "date", ["Fri, 31 Dec 9999 23:59:59 -1400", "Mon, 01 Jan 0001 00:00:00 +1400"]
)
def test_a_date_beyond_the_datetime_range_is_listed_with_the_file_time(
    date: str, tmp_path: Path
) -> None:
    # Issue 10: such a header overflowed in astimezone() and failed the whole listing.
    folder = _write("eml", tmp_path, 3)
    extreme = _message(9).replace(
        f"Date: {format_datetime(START + timedelta(days=9))}".encode(), f"Date: {date}".encode()
    )
    assert f"Date: {date}".encode() in extreme
    (folder / "extreme.eml").write_bytes(extreme)
    source = LocalMailSource(folder)
    ids = list(source.list_message_ids(TimeWindow()))
    assert sorted(ids) == ["extreme", "id000", "id001", "id002"]
    assert source.current_cursor() is not None
    assert [f.raw for f in source.fetch(["extreme"])] == [extreme]
