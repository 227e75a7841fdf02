"""Benchmark of the PDF pipeline (not a test): prints figures.

1. Median time to render one 2-page document (a risk analysis, built from a report dataclass, no database)
   through ``hemsjukvard.pdf`` versus stock WeasyPrint defaults on the same HTML:
   a. stock, same HTML and same print.css (so the cut-down fonts too), default options, fresh per call;
   b. stock with the straightforward font setup: the same CSS pointing at the full DejaVu Sans fonts.
2. Documents per second with two worker processes calling the pipeline (warm, as a Celery prefork
   child is after its first document).

    .venv/bin/python bench/bench_pdf.py [--runs 15] [--docs 20]
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")


def _setup() -> None:
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def two_page_html() -> str:
    from cases.documents import (
        DecisionRow,
        HazardRow,
        MeasureRow,
        RiskAnalysisReport,
        SignatureRow,
        TaskRow,
    )
    from cases.risk import is_high, risk_matrix, risk_score
    from documents.sources import PdfHeader
    from hemsjukvard.pdf import html_render

    now = datetime.datetime(2026, 11, 22, 9, 30, tzinfo=datetime.UTC)
    day = datetime.date(2026, 12, 1)
    header = PdfHeader(
        title="Riskanalys, version 2",
        subject="Riskanalys",
        author="Varbergs kommun",
        language="sv",
        identity="Åsa Öberg, 19400312-9816",
        identity_masked=False,
        reference="Dokument 0f6c9a1b · Riskanalys · utskrivet 2026-12-07 09:30",
        created=now,
        page_label="Sida",
        of_label="av",
    )
    measures = tuple(
        MeasureRow(description=f"Åtgärd {i}: utbildning i aseptisk teknik", owner="Njurmedicin", due_on=day)
        for i in range(2)
    )
    hazards = tuple(
        HazardRow(
            description=f"Risk {i}: peritonit vid bristande aseptik, åtgärdas med utbildning",
            likelihood=1 + i % 4,
            consequence=1 + (i * 3) % 4,
            score=risk_score(1 + i % 4, 1 + (i * 3) % 4),
            high=is_high(risk_score(1 + i % 4, 1 + (i * 3) % 4)),
            measures=measures,
        )
        for i in range(3)
    )
    report = RiskAnalysisReport(
        header=header,
        case_reference="Ärende 5c2cc8fc-3bdf-4140-8083-3b155b56424c",
        kommun="Varbergs kommun",
        vardcentral="Vårdcentralen Centrum Varberg",
        specialist_clinic="Njurmedicin Halland",
        number=2,
        status="Godkänd",
        approved=True,
        summary="Peritonealdialys i hemmet utförd av kommunens sjuksköterskor efter utbildning. " * 2,
        review_on=day,
        written_by="Nurse Test",
        organisation="Varbergs kommun",
        created_at=now,
        tasks=tuple(
            TaskRow(
                name=name,
                orders="Njurmedicin Halland",
                performs="Varbergs kommun",
                follows_up="Njurmedicin Halland",
                basis="Föreslaget av överenskommelsen",
                citation="Överenskommelse om hemsjukvård i Halland 2025.1, § 4.2",
                review="Godtagen",
            )
            for name in ("Peritonealdialys (PD)", "Avancerad sårvård", "Central venport", "Dränage")
        ),
        hazards=hazards,
        matrix=risk_matrix(hazards),
        other_measures=measures,
        signatures=(
            SignatureRow(name="Specialist Test", role="Specialistläkare", organisation="Njurmedicin", at=now),
        ),
        decisions=(
            DecisionRow(
                verdict="Godkänd",
                approved=True,
                name="Mas Test",
                role="MAS",
                for_role="MAS",
                organisation="Varbergs kommun",
                at=now,
                reason="",
            ),
        ),
    )
    return html_render("documents/pdf/risk_analysis.html", {"report": report}, language="sv")


def stock(html: str, css_text: str) -> bytes:
    """Stock WeasyPrint: default fetcher, default options, the stylesheet read and fonts loaded per call."""
    from weasyprint import CSS, HTML

    static = str(ROOT / "static" / "css") + "/"
    return HTML(string=html, base_url=static).write_pdf(stylesheets=[CSS(string=css_text, base_url=static)])


def median_time(fn, runs: int) -> tuple[float, float]:
    first_start = time.perf_counter()
    fn()
    first = time.perf_counter() - first_start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), first


def _worker(html: str, docs: int, barrier, done) -> None:  # pragma: no cover - runs in a child
    _setup()
    from hemsjukvard.pdf import pdf_from_html

    pdf_from_html(html)  # warm: what a worker has after its first document
    barrier.wait()
    for _ in range(docs):
        pdf_from_html(html)
    done.put(docs)


def throughput(html: str, docs: int, processes: int = 2) -> float:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes + 1)
    done = context.Queue()
    children = [context.Process(target=_worker, args=(html, docs, barrier, done)) for _ in range(processes)]
    for child in children:
        child.start()
    barrier.wait()
    start = time.perf_counter()
    total = sum(done.get() for _ in children)
    elapsed = time.perf_counter() - start
    for child in children:
        child.join()
    return total / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--docs", type=int, default=20, help="documents per process for the throughput")
    args = parser.parse_args()
    _setup()
    from hemsjukvard.pdf import pdf_from_html

    html = two_page_html()
    result = pdf_from_html(html)
    print(f"document: {result.page_count} pages, {result.size / 1024:.0f} kB, PDF/A-3u tagged")
    css = (ROOT / "static" / "css" / "print.css").read_text()
    css_full_fonts = css.replace("-Latin.ttf", ".ttf")

    ours, ours_cold = median_time(lambda: pdf_from_html(html), args.runs)
    stock_same, _ = median_time(lambda: stock(html, css), args.runs)
    stock_full, _ = median_time(lambda: stock(html, css_full_fonts), args.runs)
    print(f"pipeline (hemsjukvard.pdf), median of {args.runs}: {ours * 1000:7.1f} ms")
    print(f"  (first call in a fresh process, building fonts and stylesheet: {ours_cold * 1000:.0f} ms)")
    print(f"stock, same HTML + print.css:       {stock_same * 1000:7.1f} ms  ratio {stock_same / ours:.2f}x")
    print(f"stock, same HTML, full DejaVu fonts: {stock_full * 1000:7.1f} ms  ratio {stock_full / ours:.2f}x")
    rate = throughput(html, args.docs)
    print(f"throughput, 2 processes, {2 * args.docs} documents: {rate:.1f} documents/s")
    print(f"(machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
