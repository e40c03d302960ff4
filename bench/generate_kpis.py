"""The history the KPI dashboard reads, for the clients `bench.generate` made, in bulk SQL (INSERT … SELECT over
generate_series: seconds, not minutes, on PostgreSQL).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.generate_kpis [--nps 50000] [--requests 40000] \\
        [--upsells 8000] [--report-clients 0.3] [--agency-slug sever-digital]

What it writes for the agency's bench clients (`external_id` "bench-…"):
- client status history, replacing the single "created now" row of `bench.generate`: the client joined on its
  `start_date` (active; leads and onboarding clients in that status), churned and paused clients changed at a
  random moment since, and a tenth of the active ones paused and came back;
- owner history: every client got its AM on `start_date`; a quarter were handed over from another AM since;
- `--upsells` won upsell / cross-sell deals closed over the last three years, with their stage history;
- `--nps` NPS surveys with answers over the last two years (about half promoters, a fifth detractors);
- `--requests` client requests over the last two years, 95 % with a first reply and its business minutes,
  80 % with an agreed time of 4 business hours;
- monthly published reports for the last 12 months of a `--report-clients` share of the clients, half rated 1–5;
then it rebuilds the agency's daily KPI rollup (dashboards.rollups), as the nightly task would.
A rerun replaces what an earlier run wrote (its rows are marked: deals "bench-upsell", survey nonces "bench-…",
request subjects and report titles ending in "(bench)") and rewrites the bench clients' status and owner history.
PostgreSQL only (gen_random_uuid, generate_series).
"""
import argparse
import os
import sys
import time

TZ = "Europe/Moscow"
BENCH = "bench-%%"  # the external ids of bench.generate (escaped for the driver's % parameters)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agency-slug", default="sever-digital")
    parser.add_argument("--nps", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--upsells", type=int, default=8_000)
    parser.add_argument("--report-clients", type=float, default=0.3)
    parser.add_argument("--seed", type=float, default=0.42, help="PostgreSQL setseed(), -1…1")
    args = parser.parse_args(argv)

    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    import django

    django.setup()
    from django.db import connection
    from django_scopes import scope

    from mrm.tenancy.models import Agency

    if connection.vendor != "postgresql":
        parser.exit(2, "bench.generate_kpis needs PostgreSQL (set DATABASE_URL).\n")
    agency = Agency.objects.filter(slug=args.agency_slug).first()
    if agency is None:
        parser.exit(2, f"No agency with slug {args.agency_slug!r}: run seed_demo and bench.generate first.\n")
    with scope(agency=agency):
        counts = generate(agency=agency, nps=args.nps, requests=args.requests, upsells=args.upsells,
                          report_share=args.report_clients, seed=args.seed)
    print(f"{agency.name}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


MARK = "(bench)"
CLEAR = [  # children first: raw SQL has no ORM cascade
    ("", "DELETE FROM reporting_reportrating WHERE report_id IN (SELECT id FROM reporting_report "
         "WHERE agency_id = %(a)s AND title LIKE '%%(bench)')"),
    ("", "DELETE FROM reporting_report WHERE agency_id = %(a)s AND title LIKE '%%(bench)'"),
    ("", "DELETE FROM portal_npsresponse WHERE survey_id IN (SELECT id FROM portal_npssurvey "
         "WHERE agency_id = %(a)s AND nonce LIKE 'bench-%%')"),
    ("", "DELETE FROM portal_npssurvey WHERE agency_id = %(a)s AND nonce LIKE 'bench-%%'"),
    ("", "DELETE FROM clients_dealstagechange WHERE deal_id IN (SELECT id FROM clients_deal "
         "WHERE agency_id = %(a)s AND external_id = 'bench-upsell')"),
    ("", "DELETE FROM clients_deal WHERE agency_id = %(a)s AND external_id = 'bench-upsell'"),
    ("", "DELETE FROM comms_clientrequest WHERE agency_id = %(a)s AND subject LIKE '%%(bench)'"),
]


def _step(cursor, label: str, sql: str, params: dict, counts: dict) -> None:
    started = time.monotonic()
    cursor.execute(sql, params)
    if label:
        counts[label] = counts.get(label, 0) + max(cursor.rowcount, 0)
        print(f"  {label}: {cursor.rowcount} rows in {time.monotonic() - started:.1f} s", file=sys.stderr)


def generate(*, agency, nps: int, requests: int, upsells: int, report_share: float, seed: float) -> dict[str, int]:
    from django.db import connection, transaction

    from clients.services.pipelines import stage_for_code
    from mrm.tenancy.models import Membership, Role

    owners = list(Membership.objects.filter(agency=agency, is_active=True, role__in=(Role.DIRECTOR, Role.AM))
                  .order_by("user_id").values_list("user_id", flat=True))
    if not owners:
        raise SystemExit("The agency has no director or AM.")
    p = {"a": agency.pk, "tz": TZ, "owners": owners, "n_owners": len(owners), "nps": nps, "requests": requests,
         "upsells": upsells, "share": report_share, "won": stage_for_code(agency=agency, code="won").pk,
         "seed": seed}
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as c:
        _step(c, "", "SELECT setseed(%(seed)s)", p, counts)
        _step(c, "", f"""DELETE FROM clients_clientstatuschange s USING clients_client c
                        WHERE s.client_id = c.id AND c.agency_id = %(a)s AND c.external_id LIKE '{BENCH}'""", p, counts)
        _step(c, "", f"""DELETE FROM clients_clientownerchange s USING clients_client c
                        WHERE s.client_id = c.id AND c.agency_id = %(a)s AND c.external_id LIKE '{BENCH}'""", p, counts)
        for label, sql in CLEAR:
            _step(c, label, sql, p, counts)
        # when each bench client joined (10:00 on its start date), and a random moment since then
        _step(c, "", f"""CREATE TEMP TABLE bench_c ON COMMIT DROP AS
            SELECT c.id, c.status, c.owner_id, c.name,
                   (c.start_date + time '10:00') AT TIME ZONE %(tz)s AS joined,
                   random() AS r
            FROM clients_client c WHERE c.agency_id = %(a)s AND c.external_id LIKE '{BENCH}'
              AND c.start_date IS NOT NULL""", p, counts)
        _step(c, "status changes", """
            INSERT INTO clients_clientstatuschange
                (id, created_at, updated_at, from_status, to_status, changed_at, actor_id, agency_id, client_id)
            SELECT gen_random_uuid(), now(), now(), '', CASE WHEN status IN ('lead', 'onboarding') THEN status
                   ELSE 'active' END, joined, NULL, %(a)s, id FROM bench_c""", p, counts)
        _step(c, "status changes", """
            INSERT INTO clients_clientstatuschange
                (id, created_at, updated_at, from_status, to_status, changed_at, actor_id, agency_id, client_id)
            SELECT gen_random_uuid(), now(), now(), 'active', status, joined + r * (now() - joined), NULL, %(a)s, id
            FROM bench_c WHERE status IN ('churned', 'paused')""", p, counts)
        _step(c, "status changes", """
            INSERT INTO clients_clientstatuschange
                (id, created_at, updated_at, from_status, to_status, changed_at, actor_id, agency_id, client_id)
            SELECT gen_random_uuid(), now(), now(), x.f, x.t, joined + x.k * (0.3 + 7 * r) * (now() - joined), NULL,
                   %(a)s, id
            FROM bench_c CROSS JOIN (VALUES ('active', 'paused', 0.5), ('paused', 'active', 0.9)) AS x(f, t, k)
            WHERE status = 'active' AND r < 0.1""", p, counts)
        # owners: everyone from the start; a quarter handed over from the next AM in the list at a random moment
        _step(c, "owner changes", """
            INSERT INTO clients_clientownerchange
                (id, created_at, updated_at, changed_at, actor_id, agency_id, client_id, from_owner_id, to_owner_id)
            SELECT gen_random_uuid(), now(), now(), joined, NULL, %(a)s, id, NULL,
                   CASE WHEN r < 0.25 THEN (%(owners)s::bigint[])[
                       coalesce(array_position(%(owners)s::bigint[], owner_id), 0) %% %(n_owners)s + 1]
                   ELSE owner_id END
            FROM bench_c WHERE owner_id IS NOT NULL""", p, counts)
        _step(c, "owner changes", """
            INSERT INTO clients_clientownerchange
                (id, created_at, updated_at, changed_at, actor_id, agency_id, client_id, from_owner_id, to_owner_id)
            SELECT gen_random_uuid(), now(), now(), joined + (0.2 + 3 * r) * (now() - joined), NULL, %(a)s, id,
                   (%(owners)s::bigint[])[coalesce(array_position(%(owners)s::bigint[], owner_id), 0)
                                          %% %(n_owners)s + 1], owner_id
            FROM bench_c WHERE owner_id IS NOT NULL AND r < 0.25""", p, counts)
        # won upsell / cross-sell deals of clients that are or were clients
        _step(c, "", """CREATE TEMP TABLE bench_cl ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) AS rn, * FROM bench_c WHERE status <> 'lead'""", p, counts)
        _step(c, "", "CREATE INDEX ON bench_cl (rn)", p, counts)
        _step(c, "", """CREATE TEMP TABLE bench_deal ON COMMIT DROP AS
            SELECT gen_random_uuid() AS id, cl.id AS client_id, cl.owner_id, cl.name,
                   greatest(cl.joined, now() - interval '3 years') + random()
                       * (now() - greatest(cl.joined, now() - interval '3 years')) AS closed_at,
                   CASE WHEN random() < 0.6 THEN 'upsell' ELSE 'cross_sell' END AS kind,
                   (50 + floor(random() * 950)) * 1000 AS amount
            FROM (SELECT 1 + floor(random() * (SELECT count(*) FROM bench_cl))::int AS pick
                  FROM generate_series(1, %(upsells)s)) g JOIN bench_cl cl ON cl.rn = g.pick""", p, counts)
        _step(c, "won upsell deals", """
            INSERT INTO clients_deal (id, created_at, updated_at, title, stage, lost_reason, kind, service_lines, amount,
                currency, expected_close_date, closed_at, position, external_id, agency_id, client_id, owner_id,
                pipeline_stage_id, custom)
            SELECT id, closed_at - interval '30 days', closed_at, 'Допродажа: ' || name, 'won', '', kind, '[]'::jsonb,
                   amount, 'RUB', closed_at::date, closed_at, 0, 'bench-upsell', %(a)s, client_id, owner_id,
                   %(won)s, '{}'::jsonb
            FROM bench_deal""", p, counts)
        _step(c, "deal stage changes", """
            INSERT INTO clients_dealstagechange
                (id, created_at, updated_at, from_stage, to_stage, changed_at, actor_id, agency_id, deal_id)
            SELECT gen_random_uuid(), now(), now(), x.f, x.t, closed_at - x.back, NULL, %(a)s, id
            FROM bench_deal CROSS JOIN (VALUES ('', 'new', interval '30 days'), ('new', 'won', interval '0'))
                 AS x(f, t, back)""", p, counts)
        # NPS: a random contact of a (past or present) client, answered within three days of the survey
        _step(c, "", """CREATE TEMP TABLE bench_ct ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY ct.id) AS rn, ct.id, ct.client_id, ct.full_name
            FROM clients_contact ct JOIN bench_cl cl ON cl.id = ct.client_id""", p, counts)
        _step(c, "", "CREATE INDEX ON bench_ct (rn)", p, counts)
        _step(c, "", """CREATE TEMP TABLE bench_nps ON COMMIT DROP AS
            SELECT gen_random_uuid() AS sid, gen_random_uuid() AS rid, ct.id AS contact_id, ct.client_id,
                   ct.full_name, g.sent, g.sent + random() * interval '3 days' AS answered,
                   CASE WHEN g.r < 0.5 THEN 9 + floor(random() * 2) WHEN g.r < 0.8 THEN 7 + floor(random() * 2)
                        ELSE floor(random() * 7) END::smallint AS score,
                   CASE WHEN random() < 0.3 THEN 'Комментарий к оценке: сроки и качество отчётов.' ELSE '' END
                       AS comment
            FROM (SELECT 1 + floor(random() * (SELECT count(*) FROM bench_ct))::int AS pick, random() AS r,
                         now() - interval '3 days' - random() * interval '727 days' AS sent
                  FROM generate_series(1, %(nps)s)) g JOIN bench_ct ct ON ct.rn = g.pick""", p, counts)
        _step(c, "NPS surveys", """
            INSERT INTO portal_npssurvey (id, created_at, updated_at, trigger, trigger_ref, trigger_label, sent_at,
                expires_at, nonce, email_claimed_at, emailed_at, answered_at, agency_id, client_id, contact_id,
                created_by_id)
            SELECT sid, sent, answered, 'scheduled', '', '', sent, sent + interval '14 days',
                   'bench-' || md5(random()::text),
                   sent, sent, answered, %(a)s, client_id, contact_id, NULL FROM bench_nps""", p, counts)
        _step(c, "NPS answers", """
            INSERT INTO portal_npsresponse (id, created_at, updated_at, contact_name, trigger, score, comment, channel,
                answered_at, agency_id, client_id, contact_id, survey_id)
            SELECT rid, answered, answered, full_name, 'scheduled', score, comment, 'email_link', answered, %(a)s,
                   client_id, contact_id, sid FROM bench_nps""", p, counts)
        # client requests: numbers continue the agency's sequence
        _step(c, "client requests", """
            INSERT INTO comms_clientrequest (id, created_at, updated_at, number, kind, subject, status, channel,
                target_minutes, due_at, first_reply_at, response_minutes, awaiting_since, last_message_at, closed_at,
                agency_id, client_id, opened_by_id, opened_by_contact_id)
            SELECT gen_random_uuid(), opened, coalesce(replied, opened),
                   base + g.n, (ARRAY['question', 'change', 'urgent', 'new_task'])[1 + floor(random() * 4)::int],
                   'Запрос клиента №' || g.n || ' (bench)', CASE WHEN replied IS NULL THEN 'open' ELSE 'closed' END, 'portal',
                   target, CASE WHEN target IS NULL THEN NULL ELSE opened + interval '4 hours' END,
                   replied, minutes, CASE WHEN replied IS NULL THEN opened END, coalesce(replied, opened),
                   replied + interval '1 day', %(a)s, cl.id, NULL, NULL
            FROM (SELECT n, 1 + floor(random() * (SELECT count(*) FROM bench_cl))::int AS pick,
                         now() - interval '2 hours' - random() * interval '730 days' AS opened,
                         CASE WHEN random() < 0.8 THEN 240 END AS target,
                         CASE WHEN random() < 0.95 THEN 5 + floor(power(random(), 2) * 900)::int END AS minutes
                  FROM generate_series(1, %(requests)s) n) g
            JOIN bench_cl cl ON cl.rn = g.pick
            CROSS JOIN (SELECT coalesce(max(number), 0) AS base FROM comms_clientrequest WHERE agency_id = %(a)s) b
            CROSS JOIN LATERAL (SELECT CASE WHEN g.minutes IS NOT NULL
                                THEN least(g.opened + g.minutes * interval '3 minutes', now()) END AS replied) rr""",
              p, counts)
        # monthly reports of the last 12 months for a share of the clients, half of them rated by a contact
        _step(c, "", """CREATE TEMP TABLE bench_rep ON COMMIT DROP AS
            SELECT gen_random_uuid() AS id, cl.id AS client_id, cl.name, m.month::date AS date_from,
                   (m.month + interval '1 month - 1 day')::date AS date_to,
                   (m.month + interval '1 month 3 days' + time '12:00') AT TIME ZONE %(tz)s AS published,
                   (SELECT ct.id FROM clients_contact ct WHERE ct.client_id = cl.id ORDER BY ct.is_primary DESC, ct.id
                    LIMIT 1) AS contact_id
            FROM bench_cl cl
            CROSS JOIN generate_series(date_trunc('month', now()) - interval '12 months',
                                       date_trunc('month', now()) - interval '1 month', interval '1 month') AS m(month)
            WHERE cl.r < %(share)s""", p, counts)
        _step(c, "reports", """
            INSERT INTO reporting_report (id, created_at, updated_at, title, date_from, date_to, status, commentary,
                commentary_drafter, next_steps, plan, snapshot, built_at, pdf_file, published_at, notified_at,
                agency_id, client_id, created_by_id, job_id, published_by_id, schedule_id, template_id)
            SELECT id, published, published, left('Отчёт ' || to_char(date_from, 'MM.YYYY') || ': ' || name, 190) || ' (bench)',
                   date_from,
                   date_to, 'published', '', '', '', '{}'::jsonb, '{}'::jsonb, published, '', published, published,
                   %(a)s, client_id, NULL, NULL, NULL, NULL, NULL
            FROM bench_rep WHERE published < now()""", p, counts)
        _step(c, "report ratings", """
            INSERT INTO reporting_reportrating (id, created_at, updated_at, score, comment, agency_id, contact_id,
                report_id)
            SELECT gen_random_uuid(), published + interval '1 day', published + interval '1 day',
                   CASE WHEN random() < 0.6 THEN 4 + floor(random() * 2) ELSE 1 + floor(random() * 3) END, '',
                   %(a)s, contact_id, id
            FROM bench_rep WHERE published < now() - interval '1 day' AND contact_id IS NOT NULL
              AND random() < 0.5""", p, counts)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    from dashboards.rollups import kpi_rollup_rebuild

    started = time.monotonic()
    counts["KPI rollup rows"] = kpi_rollup_rebuild(agency=agency)  # what the nightly task would have built
    print(f"  KPI rollup: {counts['KPI rollup rows']} rows in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return counts


if __name__ == "__main__":
    main()
