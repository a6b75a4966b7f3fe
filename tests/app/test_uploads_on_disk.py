"""Uploads leave nothing on disk (rosters are kept in the database between preview and import), and the
tests never write into the real instance/ folder."""
from __future__ import annotations

import io
from pathlib import Path

from tests.app.transfer_helpers import make_batch, roster_rows, xlsx_file

ROOT = Path(__file__).resolve().parents[2]


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_the_test_app_uses_a_throwaway_instance_folder(app):
    assert Path(app.instance_path).resolve() != (ROOT / "instance").resolve()
    assert not Path(app.instance_path).resolve().is_relative_to(ROOT)


def test_accepted_and_refused_uploads_leave_no_file(app, db, signed_in):
    batch = make_batch(db)
    client = signed_in("hq")
    before = files_under(Path(app.instance_path)), files_under(ROOT / "instance")
    for data, name in ((xlsx_file(roster_rows(5)), "good.xlsx"), (b"PK\x03\x04 broken", "bad.xlsx"),
                       (b"%PDF-1.4", "roster.pdf")):
        client.post(f"/transfers/{batch.id}/roster", data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    after = files_under(Path(app.instance_path)), files_under(ROOT / "instance")
    assert after == before
    assert not (Path(app.instance_path) / "uploads").exists()
