"""Benchmark: a zip of 2,000 appointment forms (`.lrmx`) imported and exported again.

Times the real service path as the cadre section's officer: upload and preview
(`lrmx_upload`), then the all-or-nothing write (`lrmx_confirm`), per file and in total (target
under 20 s for the first import on two cores); the same zip again (every file unchanged); a zip
where every file changed one field (every file an update); then the export of all 2,000
(`lrmx_export_zip`). Checks that every exported file equals, byte for byte, the file last
imported for that cadre, and prints the peak memory of the process (ru_maxrss). Needs the test
extras (`pip install -e .[test]`): the organization tree is built with the test factories.

    .venv/bin/python bench/lrmx.py [--files 2000] [--tracemalloc]
    ZUZHI_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/lrmx.py
"""

import argparse
import datetime
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红志国建文斌宁"
TOWNS = [f"{name}镇" for name in "城关李村王庄石桥河口柳林白沙新集马坊龙泉黄河东湖西岭南坪北关"]
SCHOOLS = ["郑州大学", "河南大学", "河南师范大学", "河南农业大学", "中共河南省委党校"]
MAJORS = ["行政管理专业", "法学专业", "汉语言文学专业", "农学专业", "会计学专业", "计算机专业"]
POSTS = ["科员", "副镇长", "党委委员、组织委员", "党委副书记", "镇长", "党委书记", "副局长"]
RELATIONS = [("父亲", 28), ("母亲", 26), ("妻子", -2), ("丈夫", 2), ("儿子", -28), ("女儿", -30)]


def photo_bases(count: int = 8) -> list[bytes]:
    """A few JPEGs of about 20 KB that compress like a scanned photo (a gradient face shape
    with sensor noise), in different tints; each file then varies a few bytes of one."""
    from PIL import Image, ImageDraw

    bases = []
    for n in range(count):
        image = Image.new("RGB", (180, 240), (200 + n * 5, 215, 235 - n * 8))
        draw = ImageDraw.Draw(image)
        draw.ellipse((45, 35, 135, 145), fill=(225, 190 - n * 3, 165))
        draw.rectangle((25, 150, 155, 240), fill=(40 + n * 10, 50, 90))
        noise = Image.effect_noise((180, 240), 40 + n)
        image = Image.blend(image, Image.merge("RGB", (noise, noise, noise)), 0.22)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=93)
        bases.append(buffer.getvalue())
    return bases


def unique_photo(bases: list[bytes], i: int) -> bytes:
    # Bytes after the end-of-image marker are ignored by every reader: distinct files.
    return bases[i % len(bases)] + i.to_bytes(4, "big")


def resume(rng, born: int) -> tuple[str, str]:
    """A résumé of 5–10 lines in the official layout and the current post."""
    year, month = born + 18, 9
    school = rng.choice(SCHOOLS)
    lines = [f"{year}.09--{year + 4}.07  {school}{rng.choice(MAJORS)}学习"]
    year, month = year + 4, 7
    town = rng.choice(TOWNS)
    periods = rng.randint(4, 8)
    post = ""
    for p in range(periods):
        post = f"示范县{town}{POSTS[min(p, len(POSTS) - 1)]}"
        if p == periods - 1:
            lines.append(f"{year}.{month:02d}--         {post}")
            break
        end_year, end_month = year + rng.randint(1, 4), rng.randint(1, 12)
        if end_year > 2025:
            lines.append(f"{year}.{month:02d}--         {post}")
            break
        lines.append(f"{year}.{month:02d}--{end_year}.{end_month:02d}  {post}")
        if rng.random() < 0.3:
            lines.append(
                "\u3000" * 9 + f"（其间：{year + 1}.03--{year + 1}.07参加河南省青年干部培训班学习）"
            )
        year, month = end_year, end_month
    while len(lines) < 5:
        lines.insert(1, "\u3000" * 9 + "（其间：参加县委党校中青年干部培训班学习）")
    return "\n".join(lines), post


def forms(count: int, seed: int = 13):
    """`count` distinct, valid appointment forms as (file name, bytes)."""
    from zuzhi.cadres.lrmx import AppointmentForm, FamilyMember, YearMonth
    from zuzhi.cadres.lrmx_write import write
    from zuzhi.core.idnumber import check_char

    rng = random.Random(seed)
    bases = photo_bases()
    used: set[str] = set()
    files = []
    for i in range(count):
        born = datetime.date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
        while True:
            first17 = f"411330{born:%Y%m%d}{rng.randint(0, 999):03d}"
            number = first17 + check_char(first17)
            if number not in used:
                used.add(number)
                break
        female = int(number[16]) % 2 == 0
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(("", rng.choice(GIVEN)))
        text, post = resume(rng, born.year)
        family = []
        for relation, offset in rng.sample(RELATIONS, rng.randint(3, 5)):
            family.append(
                FamilyMember(
                    relation=relation,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    birth=YearMonth(min(born.year + offset, 2020), rng.randint(1, 12)),
                    political_status=rng.choice(("中共党员", "群众", "共青团员")),
                    work_and_post=rng.choice(("务农", "退休", "示范县第一中学教师", "学生")),
                )
            )
        form = AppointmentForm(
            name=name,
            gender="女" if female else "男",
            birth=YearMonth(born.year, born.month),
            ethnicity=rng.choice(("汉族",) * 9 + ("回族",)),
            native_place="河南示范",
            birthplace="河南示范",
            party_joined=YearMonth(born.year + rng.randint(20, 28), rng.randint(1, 12)),
            work_started=YearMonth(born.year + 22, 7),
            health="健康",
            expertise=rng.choice(("熟悉党建工作", "熟悉经济工作", "熟悉农业农村工作", "")),
            full_time_education=rng.choice(("大学", "大学", "大专", "研究生")),
            full_time_degree=rng.choice(("管理学学士", "法学学士", "")),
            full_time_education_school=f"{rng.choice(SCHOOLS)}{rng.choice(MAJORS)}",
            in_service_education=rng.choice(("", "", "研究生")),
            current_post=post,
            resume=text,
            rewards_and_punishments=rng.choice(("无", "2019年度被评为县优秀共产党员")),
            annual_assessments="2022年、2023年、2024年年度考核均为称职。",
            family=family,
            submitting_unit="中共示范县委",
            age_reference_date=YearMonth(2025, 12),
            filled_date=YearMonth(2025, 12, 1),
            filled_by="赵敏",
            id_number=number,
            photo=unique_photo(bases, i),
        )
        data = write(form)
        if i % 4 == 0:
            # Newer software's elements, which Zuzhi does not model and must give back.
            retire = born.year + (55 if female else 60)
            data = data.replace(
                b"</CanJiaGongZuoShiJian>",
                b"</CanJiaGongZuoShiJian>\n  <DaoLingNianYue>%d.%02d</DaoLingNianYue>"
                b"\n  <GaiGeQianRenZhiNianLingJieXian>55</GaiGeQianRenZhiNianLingJieXian>"
                % (retire, born.month),
            )
        if i % 7 == 0:
            data = data.replace(
                b"</GongZuoDanWeiJiZhiWu>", b"</GongZuoDanWeiJiZhiWu><Age>40</Age>", 1
            )
        files.append((f"{name}.lrmx", data))
    return files


def changed(files):
    """The same forms with one field changed in each (the post to be held, 拟任职务)."""
    from zuzhi.cadres.lrmx import parse
    from zuzhi.cadres.lrmx_write import write

    out = []
    for i, (name, data) in enumerate(files):
        form = parse(data)
        out.append(
            (name, write(replace(form, proposed_post=f"拟任示范县某局局长{i}"), original=data))
        )
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(count: int, tmp: str, trace: bool) -> None:
    import django

    django.setup()
    import gc
    import tracemalloc

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from zuzhi.cadres.lrmx_import import lrmx_confirm, lrmx_export_zip, lrmx_upload
    from zuzhi.cadres.models import Cadre, CareerEntry, FamilyMember
    from zuzhi.cadres.selectors import cadre_list
    from zuzhi.core.models import AuditLog
    from zuzhi.core.roles import Role
    from zuzhi.testing.factories import OrganizationFactory, user_with_role

    call_command("migrate", verbosity=0)
    # DEBUG (needed to start without a secret key) makes Django keep the SQL of every query
    # with its parameters: photos and files rendered as text, memory production never spends.
    settings.DEBUG = False
    county = OrganizationFactory(
        code="C", name="中共示范县委", org_type="county_committee", unit_category="county"
    )
    for i, town in enumerate(TOWNS):
        OrganizationFactory(
            parent=county,
            code=f"T{i:02d}",
            name=f"中共{town}委员会",
            org_type="committee",
            unit_category="township",
        )
    actor = user_with_role(Role.CADRE_STAFF, county, username="cadre_officer")
    first = Path(tmp, "import.zip").read_bytes()
    second = Path(tmp, "changed.zip").read_bytes()
    vendor = connection.vendor
    print(
        f"[{vendor}] {count:,} files, zip {len(first) / 1024 / 1024:.1f} MB; "
        f"memory before importing {peak_mb():.0f} MB (ru_maxrss)"
    )
    if trace:
        tracemalloc.start()
    gc.collect()

    def one_import(label: str, content: bytes, expect: str) -> None:
        if trace:
            tracemalloc.reset_peak()
        t0 = time.perf_counter()
        job = lrmx_upload(
            actor=actor, filename=f"{label}.zip", content=content, organization=county
        )
        t1 = time.perf_counter()
        assert job.summary[expect] == count, job.summary
        lrmx_confirm(actor=actor, upload=job)
        t2 = time.perf_counter()
        total = t2 - t0
        traced = (
            f", tracemalloc peak {tracemalloc.get_traced_memory()[1] / 1024 / 1024:.0f} MB"
            if trace
            else ""
        )
        print(
            f"[{vendor}] import {label} (all {expect}): preview {t1 - t0:.1f} s + confirm "
            f"{t2 - t1:.1f} s = {total:.1f} s, {total / count * 1000:.1f} ms per file; "
            f"ru_maxrss {peak_mb():.0f} MB{traced}"
        )

    one_import("first", first, "new")
    assert Cadre.objects.count() == count
    print(
        f"[{vendor}]   written: {Cadre.objects.count():,} cadres, "
        f"{FamilyMember.objects.count():,} family rows, {CareerEntry.objects.count():,} career rows, "
        f"{AuditLog.objects.filter(target_type='cadres.cadre').count():,} audit rows"
    )
    one_import("again", first, "unchanged")
    one_import("changed", second, "update")

    if trace:
        tracemalloc.reset_peak()
    t0 = time.perf_counter()
    cadres = list(cadre_list(user=actor, active=None))
    data = lrmx_export_zip(actor=actor, cadres=cadres)
    elapsed = time.perf_counter() - t0
    traced = (
        f", tracemalloc peak {tracemalloc.get_traced_memory()[1] / 1024 / 1024:.0f} MB"
        if trace
        else ""
    )
    print(
        f"[{vendor}] export of {len(cadres):,} (lrmx_export_zip): {elapsed:.1f} s, "
        f"{elapsed / len(cadres) * 1000:.1f} ms per file, zip {len(data) / 1024 / 1024:.1f} MB; "
        f"ru_maxrss {peak_mb():.0f} MB{traced}"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        exported = {archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(io.BytesIO(second)) as archive:
        imported = {archive.read(info) for info in archive.infolist()}
    assert exported == imported, f"{len(exported ^ imported)} files differ"
    print(
        f"[{vendor}]   every exported file equals the file imported for that cadre, byte for byte"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
    )
    args = parser.parse_args()
    argv = ["--files", str(args.files)] + (["--tracemalloc"] if args.tracemalloc else [])
    if os.environ.get("BENCH_CHILD"):
        sys.path.insert(0, str(ROOT))
        run(args.files, os.environ["BENCH_DIR"], args.tracemalloc)
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zuzhi.settings")
    os.environ.setdefault("ZUZHI_DEBUG", "1")
    import django

    django.setup()
    from zuzhi.cadres.lrmx_zip import write_zip

    env = {**os.environ, "ZUZHI_DEBUG": "1", "BENCH_CHILD": "1"}
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        files = forms(args.files)
        Path(tmp, "import.zip").write_bytes(write_zip(files))
        Path(tmp, "changed.zip").write_bytes(write_zip(changed(files)))
        sizes = sorted(len(d) for _, d in files)
        print(
            f"generated {len(files):,} forms in {time.perf_counter() - t0:.0f} s "
            f"(median {sizes[len(sizes) // 2] / 1024:.0f} KB each)"
        )
        del files
        env["BENCH_DIR"] = tmp
        env_sqlite = {
            **env,
            "ZUZHI_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "ZUZHI_VAR_DIR": tmp,
        }
        status |= subprocess.call([sys.executable, __file__, *argv], env=env_sqlite, cwd=ROOT)
        pg_url = os.environ.get("ZUZHI_BENCH_PG_URL")
        if pg_url:
            import psycopg

            admin = psycopg.connect(pg_url, autocommit=True)
            admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_lrmx")
            admin.execute("CREATE DATABASE zuzhi_bench_lrmx")
            try:
                env_pg = {
                    **env,
                    "ZUZHI_DATABASE_URL": pg_url.rsplit("/", 1)[0] + "/zuzhi_bench_lrmx",
                    "ZUZHI_VAR_DIR": tmp,
                }
                status |= subprocess.call([sys.executable, __file__, *argv], env=env_pg, cwd=ROOT)
            finally:
                admin.execute("DROP DATABASE IF EXISTS zuzhi_bench_lrmx")
                admin.close()
        else:
            print("(PostgreSQL skipped: set ZUZHI_BENCH_PG_URL to include it)")
    return status


if __name__ == "__main__":
    sys.exit(main())
