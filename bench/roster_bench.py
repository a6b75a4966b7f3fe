"""Time the transfer-roster reader on a large generated workbook.

Run from the project root:  python -m bench.roster_bench [--rows 10000] [--repeat 3]

The budget is 1 s to read and check a 10,000-row XLSX (the fastest of --repeat runs, so other
work on a shared machine counts less). Timing and memory are measured in separate runs because
tracemalloc slows the code it watches. "raw rows" is the workbook reader alone, every row
pulled out as Python values: openpyxl's read-only mode (the reader before) against calamine
with the limits scan (quarantine/roster/limits.py) in front of it (the reader now).
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from bench.databases import sqlite_url, throwaway_postgres
from quarantine.idnumbers import check_digit
from quarantine.roster.reader import read_roster
from quarantine.roster.vocabulary import default_vocabulary

BUDGET_SECONDS = 1.0
HEADER = ["序号", "姓名", "性别", "身份证号", "联系电话", "家庭编号", "人员类别", "特殊需求", "饮食", "年龄", "出生日期", "来源地", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
CATEGORIES = ["密接", "次密接", "中高风险地区来返人员", "close contact"]
NEEDS = ["", "", "", "", "轮椅", "孕妇、慢性病", "行动不便"]
DIETS = ["", "", "普通", "清真", "素食", "软食"]
TODAY = date.today()  # ages in the file agree with the ID numbers on the day the benchmark runs


def _resident_id(rng: random.Random, index: int) -> tuple[str, date, str]:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 80 * 365))
    # Area code and sequence digits carry the row index so every ID is distinct.
    first17 = "41%04d" % (1600 + index // 1000) + born.strftime("%Y%m%d") + "%03d" % (index % 1000)
    number = first17 + check_digit(first17)
    sex = "男" if int(number[16]) % 2 else "女"
    return number, born, sex


def _people(count: int, seed: int = 7) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for index in range(count):
        number, born, sex = _resident_id(rng, index)
        household = index // 3  # families of three sharing a phone
        if index % 3 == 0 and born.year > TODAY.year - 25:
            # The first of a family is an adult (a child never travels alone); sex digit unchanged.
            born = born.replace(year=TODAY.year - 40, day=min(born.day, 28))
            first17 = number[:6] + born.strftime("%Y%m%d") + number[14:17]
            number = first17 + check_digit(first17)
        age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
        rows.append([
            index + 1,
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            sex,
            number,
            "138%08d" % household,
            "H%05d" % household,
            rng.choice(CATEGORIES),
            rng.choice(NEEDS),
            rng.choice(DIETS),
            age,
            born,
            "项城市",
            "",
        ])
    return rows


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "转运名单"
    sheet.append(["XX县转运人员名单（第1批）"])  # title row above the header, as counties do
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_csv(path: Path, rows: list[list[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("gb18030"))


def measure(path: Path, repeat: int = 1) -> tuple[float, int, int, float]:
    data = path.read_bytes()
    vocab = default_vocabulary()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        report = read_roster(data, path.name, vocab, today=TODAY)
        times.append(time.perf_counter() - start)
    seconds = min(times)
    if report.file_errors:
        raise SystemExit("benchmark file was rejected: %s" % report.file_errors)
    tracemalloc.start()
    read_roster(data, path.name, vocab, today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, len(report.rows), len(report.problems), peak / 1e6


def raw_rows(path: Path, repeat: int) -> tuple[float, float]:
    """Seconds to pull every row out of the workbook: openpyxl read-only (before), calamine + limits (now)."""
    from openpyxl import load_workbook

    from quarantine.roster.files import open_tables

    data = path.read_bytes()

    def with_openpyxl() -> int:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        count = sum(1 for _ in book.active.iter_rows(values_only=True))
        book.close()
        return count

    def with_calamine() -> int:
        return sum(1 for _ in open_tables(data, path.name)[0].rows)

    results = []
    for read in (with_openpyxl, with_calamine):
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            read()
            times.append(time.perf_counter() - start)
        results.append(min(times))
    return results[0], results[1]


def measure_import(path: Path, url: str) -> tuple[float, int]:
    """The web import as a user meets it: check the file against the database, then import it all."""
    from flask_migrate import upgrade

    from quarantine import create_app
    from quarantine.extensions import db
    from quarantine.models import TransferBatch
    from quarantine.transfers.roster_import import check_roster, import_roster
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        batch = TransferBatch(code="BENCH", origin="bench")
        db.session.add(batch)
        db.session.commit()
        start = time.perf_counter()
        report = check_roster(path.read_bytes(), path.name)
        count = import_roster(batch, report, drop_bad_rows=True, confirmed_households=set(), default_category=None)
        seconds = time.perf_counter() - start
        db.session.remove()
        db.engine.dispose()
    return seconds, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    people = _people(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        files = {"xlsx": Path(tmp, "roster.xlsx"), "csv (GBK)": Path(tmp, "roster.csv")}
        write_xlsx(files["xlsx"], people)
        write_csv(files["csv (GBK)"], people)
        print("%-10s %7s %8s %9s %8s %8s" % ("file", "rows", "seconds", "problems", "peak MB", "size KB"))
        for label, path in files.items():
            seconds, rows, problems, peak = measure(path, args.repeat)
            print("%-10s %7d %8.2f %9d %8.1f %8d" % (
                label, rows, seconds, problems, peak, path.stat().st_size // 1024,
            ))
            if path.suffix == ".xlsx" and args.rows >= 10_000 and seconds > BUDGET_SECONDS:
                print("  over budget: %.2f s > %.1f s" % (seconds, BUDGET_SECONDS))

        before, now = raw_rows(files["xlsx"], args.repeat)
        print("\nraw rows of the XLSX: openpyxl read-only %.2f s, calamine with the limits scan %.2f s" % (before, now))

        print("\nCheck and import into a fresh database (XLSX, what the web import does)")
        print("%-12s %7s %8s" % ("database", "people", "seconds"))
        with throwaway_postgres("bench_roster_import", wanted=not args.no_postgres) as pg:
            targets = [("SQLite", sqlite_url("bench-roster-"))] + ([("PostgreSQL", pg)] if pg else [])
            for name, url in targets:
                seconds, count = measure_import(files["xlsx"], url)
                print("%-12s %7d %8.2f" % (name, count, seconds))


if __name__ == "__main__":
    main()
