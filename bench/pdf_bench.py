"""Time rendering a 5-page commercial proposal (КП) PDF with WeasyPrint — the target is ≤ 1 s per PDF.

    MRM_VAR_DIR=/tmp/mrm-bench .venv/bin/python -m bench.pdf_bench --runs 10

No database is needed: the proposal is a snapshot (the same dict a sent version stores) rendered by
`proposals.services.documents.render_html` and `mrm.integrations.pdf.render_pdf` (what `documents.render_pdf`
does, minus the database check of whose files the images are), with photos and case images written to a
temporary media root. The first render unpacks the vendored fonts once (cached under MRM_VAR_DIR/pdf-fonts) and is
reported separately as the cold start; the figure that matters is the warm median.
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _png(colour: tuple[int, int, int], size=(600, 300)) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, colour)
    ImageDraw.Draw(img).ellipse([size[0] // 2, -size[1] // 3, size[0] + 80, size[1]], outline=(255, 255, 255),
                                width=5)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def snapshot(media: Path) -> dict:
    """A realistic КП: 4 sections, 4 stages with 8 lines, a team of 4 with photos, 2 cases, terms."""
    for i, colour in enumerate([(31, 111, 235), (14, 159, 110), (247, 144, 9), (122, 90, 248)]):
        (media / f"case-{i}.png").write_bytes(_png(colour))
        (media / f"person-{i}.png").write_bytes(_png(colour, (160, 160)))
    (media / "logo.png").write_bytes(_png((16, 24, 40), (240, 80)))
    rates = {"Стратег": "6500.00", "Арт-директор": "5500.00", "Таргетолог": "3200.00", "Аналитик": "4000.00"}
    stages = []
    subtotal = 0
    plan = [("Стратегия", [("Аудит маркетинга и конкурентов", "Стратег", 18),
                           ("Коммуникационная стратегия", "Стратег", 36)]),
            ("Креатив", [("Креативная концепция", "Арт-директор", 32), ("Дизайн макетов", "Арт-директор", 24)]),
            ("Реклама", [("Таргетированная реклама VK", "Таргетолог", 30), ("Яндекс Директ", "Таргетолог", 24)]),
            ("Аналитика", [("Сквозная аналитика", "Аналитик", 24), ("Ежемесячный отчёт", "Аналитик", 8)])]
    for stage, lines in plan:
        rows, stage_total = [], 0
        for name, role, hours in lines:
            amount = hours * float(rates[role])
            stage_total += amount
            rows.append({"name": name, "role": role, "hours": str(hours), "rate": rates[role],
                         "amount": f"{amount:.2f}", "note": "Оценка по опыту похожих проектов", "unit": ""})
        subtotal += stage_total
        stages.append({"stage": stage, "lines": rows, "amount": f"{stage_total:.2f}",
                       "hours": str(sum(h for _n, _r, h in lines))})
    vat = round(subtotal * 0.2, 2)
    paragraph = ("Мы изучили бриф, сайт и коммуникацию конкурентов. Главная задача — превратить интерес к бренду "
                 "в заявки, которые можно посчитать: от первого касания до оплаты. ") * 2
    return {
        "schema": 1, "proposal_id": "bench", "title": "Продвижение сети кофеен «Зерно» на 2026 год",
        "issued_on": "2026-03-02", "valid_until": "2026-03-16", "currency": "RUB",
        "agency": {"name": "Север Диджитал", "brand_color": "#1F6FEB", "accent_color": "#0E9F6E",
                   "logo": "logo.png"},
        "client": {"name": "Кофейня «Зерно»", "legal_name": "ИП Соколова А. В."},
        "owner": {"name": "Алексей Волков", "email": "am@sever.demo", "phone": "+7 900 000-00-00",
                  "position": "Аккаунт-менеджер"},
        "sections": [{"title": t, "body": paragraph} for t in
                     ("Как мы поняли задачу", "Цели и метрики", "Подход и этапы работ", "Что нужно уточнить")],
        "stages": stages,
        "totals": {"subtotal": f"{subtotal:.2f}", "discount_percent": "0", "discount_amount": "0.00",
                   "net": f"{subtotal:.2f}", "vat_rate": "20.00", "vat_amount": f"{vat:.2f}",
                   "total": f"{subtotal + vat:.2f}", "hours": "196", "stages": []},
        "discount_reason": "",
        "team": [{"name": n, "role": r, "bio": "Десять лет в digital, запускал кампании для федеральных сетей.",
                  "photo": f"person-{i}.png"} for i, (n, r) in enumerate([
                      ("Алексей Волков", "Аккаунт-менеджер"), ("Ольга Смирнова", "Стратег"),
                      ("Дмитрий Орлов", "Проектный менеджер"), ("Павел Соколов", "Таргетолог")])],
        "cases": [{"title": t, "kind": "own", "client": c, "description": "Перестроили кампании и аналитику.",
                   "result": r, "image": f"case-{i}.png"} for i, (t, c, r) in enumerate([
                       ("Рост заявок в 2,4 раза", "Клиника «Здоровье+»", "−38 % стоимость заявки"),
                       ("Запуск бренда в соцсетях", "Кофейня «Зерно»", "18 000 подписчиков"),
                       ])],
        "terms": "Оплата: 50 % предоплата, 50 % по завершении этапа.\nРекламный бюджет оплачивается отдельно.\n"
                 "Сроки считаются с момента получения доступов.",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", default="", help="also write the last PDF here")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    media = Path(tempfile.mkdtemp(prefix="mrm-pdf-bench-"))
    os.environ["MEDIA_ROOT"] = str(media)
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = media
    from mrm.integrations import pdf as pdf_integration
    from proposals.services.documents import render_html, snapshot_image_names

    doc = snapshot(media)
    files = snapshot_image_names(doc)  # no database here: the bench's own files are the allowed ones

    def render_pdf(*, snapshot: dict, version: int) -> bytes:
        return pdf_integration.render_pdf(html=render_html(snapshot=snapshot, version=version, pdf_files=files),
                                          storage_names=files)

    start = time.perf_counter()
    content = render_pdf(snapshot=doc, version=1)
    cold = time.perf_counter() - start
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        content = render_pdf(snapshot=doc, version=1)
        timings.append(time.perf_counter() - start)
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        pages = len(pdf.pages)
    if args.out:
        Path(args.out).write_bytes(content)
    median = statistics.median(timings)
    print(f"pages: {pages}   size: {len(content) / 1024:.0f} KiB   runs: {args.runs}")
    print(f"cold start (fonts unpacked if not cached): {cold:.2f} s")
    print(f"warm: median {median:.2f} s   min {min(timings):.2f} s   max {max(timings):.2f} s   target ≤ 1.00 s")
    return 0 if median <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
