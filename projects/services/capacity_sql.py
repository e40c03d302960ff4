"""The booked hours of the capacity view, aggregated in PostgreSQL: one query whatever the number of open tasks.

The arithmetic is `capacity.person_capacity`'s (the pure reference, which the tests compare this with on random
data): a task's remaining estimate (estimate − hours logged on it, `ProjectTask.logged_hours`) spreads evenly over the person's working days
from max(start, today) to its due date (the agency's working days when the person is off all that time; the start
day itself when there are none at all); an overdue task books all of it in this week; what falls after the last
week shown is `beyond`. Instead of a row per task and day, the query keeps per person a running count of working
days (agency calendar − holidays − their time off) and takes each task's share of a week as
`remaining × working days of the task in that week / working days of the task`.
"""
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from ..calendar import WorkCalendar
from ..models import Project, ProjectTask

ZERO = Decimal("0")

SQL = """
WITH tasks AS (
    SELECT t.assignee_id AS user_id, t.estimate_hours - t.logged_hours AS r,
           GREATEST(COALESCE(t.start_date, %(today)s::date), %(today)s::date) AS s, t.due_date AS d
    FROM {task} t JOIN {project} p ON p.id = t.project_id
    WHERE t.agency_id = %(agency)s AND p.agency_id = %(agency)s AND t.assignee_id = ANY(%(users)s)
      AND t.status = ANY(%(task_statuses)s) AND p.status = ANY(%(project_statuses)s)
      AND t.due_date IS NOT NULL AND t.estimate_hours > t.logged_hours
),
-- tasks to spread over days inside the horizon (not overdue, starting before its end)
spread AS (SELECT * FROM tasks WHERE d >= %(today)s::date AND s <= %(hend)s::date AND s <= d),
days AS (
    SELECT g::date AS day,
           (EXTRACT(ISODOW FROM g)::int = ANY(%(weekdays)s) AND NOT (g::date = ANY(%(holidays)s::date[]))) AS working
    FROM generate_series(%(today)s::date, GREATEST((SELECT MAX(d) FROM spread), %(hend)s::date), '1 day') g
),
off_days AS (
    SELECT DISTINCT o.user_id, g::date AS day
    FROM unnest(%(off_users)s::bigint[], %(off_starts)s::date[], %(off_ends)s::date[]) o(user_id, a, b),
         generate_series(GREATEST(o.a, %(today)s::date), o.b, '1 day') g
),
cum AS (
    SELECT u.user_id, d.day, d.working::int AS aw, (d.working AND x.day IS NULL)::int AS pw,
           SUM(d.working::int) OVER w AS ac, SUM((d.working AND x.day IS NULL)::int) OVER w AS pc
    FROM (SELECT DISTINCT user_id FROM spread) u CROSS JOIN days d
    LEFT JOIN off_days x ON x.user_id = u.user_id AND x.day = d.day
    WINDOW w AS (PARTITION BY u.user_id ORDER BY d.day)
),
weeks AS (
    SELECT k, (%(first)s::date + 7 * k) AS mon, (%(first)s::date + 7 * k + 6) AS sun
    FROM generate_series(0, %(weeks)s - 1) k
),
-- running counts at the end of each week (and before the first: zero)
week_end AS (
    SELECT c.user_id, w.k, c.ac, c.pc FROM cum c JOIN weeks w ON c.day = w.sun
),
placed AS (
    SELECT sp.user_id, sp.r, sp.s, sp.d, cs.ac - cs.aw AS a_before, cs.pc - cs.pw AS p_before, cd.ac AS a_due,
           cd.pc AS p_due, (cd.pc - cs.pc + cs.pw) AS pn, (cd.ac - cs.ac + cs.aw) AS an
    FROM spread sp
    JOIN cum cs ON cs.user_id = sp.user_id AND cs.day = sp.s
    JOIN cum cd ON cd.user_id = sp.user_id AND cd.day = sp.d
),
-- per task: which running count it spreads over (the person's, else the agency's), or a single day
modes AS (
    SELECT user_id, r, s, d,
           CASE WHEN pn > 0 THEN 'p' WHEN an > 0 THEN 'a' ELSE '1' END AS mode,
           CASE WHEN pn > 0 THEN pn ELSE an END AS n,
           CASE WHEN pn > 0 THEN p_before ELSE a_before END AS before,
           CASE WHEN pn > 0 THEN p_due ELSE a_due END AS due_count
    FROM placed
),
in_weeks AS (
    SELECT m.user_id, w.k,
           m.r * ((CASE WHEN m.d <= w.sun THEN m.due_count
                        ELSE (CASE WHEN m.mode = 'p' THEN e.pc ELSE e.ac END) END)
                  - (CASE WHEN m.s >= w.mon THEN m.before
                          ELSE COALESCE(CASE WHEN m.mode = 'p' THEN b.pc ELSE b.ac END, 0) END))
               / m.n AS hours
    FROM modes m
    JOIN weeks w ON w.mon <= m.d AND w.sun >= m.s
    JOIN week_end e ON e.user_id = m.user_id AND e.k = w.k
    LEFT JOIN week_end b ON b.user_id = m.user_id AND b.k = w.k - 1
    WHERE m.mode <> '1'
),
beyond_spread AS (
    SELECT m.user_id, %(weeks)s AS k,
           m.r * (m.due_count - (CASE WHEN m.mode = 'p' THEN e.pc ELSE e.ac END)) / m.n AS hours
    FROM modes m JOIN week_end e ON e.user_id = m.user_id AND e.k = %(weeks)s - 1
    WHERE m.mode <> '1' AND m.d > %(hend)s::date
),
single AS (  -- no working day at all between start and due: the whole remainder on the start day
    SELECT user_id, CASE WHEN LEAST(s, d) > %(hend)s::date THEN %(weeks)s
                         ELSE (LEAST(s, d) - %(first)s::date) / 7 END AS k, r AS hours
    FROM modes WHERE mode = '1'
),
others AS (  -- overdue: all of it this week; starting after the horizon (or after its due): beyond or its day
    SELECT user_id, 0 AS k, r AS hours FROM tasks WHERE d < %(today)s::date
    UNION ALL
    SELECT user_id, %(weeks)s, r FROM tasks WHERE d >= %(today)s::date AND s > %(hend)s::date
    UNION ALL
    SELECT user_id, CASE WHEN d > %(hend)s::date THEN %(weeks)s ELSE (d - %(first)s::date) / 7 END, r
    FROM tasks WHERE d >= %(today)s::date AND s <= %(hend)s::date AND s > d
)
SELECT user_id, k, SUM(hours) FROM (
    SELECT * FROM in_weeks UNION ALL SELECT * FROM beyond_spread UNION ALL SELECT * FROM single
    UNION ALL SELECT * FROM others
) booked GROUP BY user_id, k
"""


def booked_by_week(*, agency, user_ids: list, calendar: WorkCalendar, off: dict[object, list[tuple[date, date]]],
                   today: date, first: date, weeks: int) -> dict[object, dict[int, Decimal]]:
    """{user id: {week index: hours}} for the dated open tasks of `user_ids`; index `weeks` is what falls after
    the horizon. One query; the calendar and the time off are the ones the caller already loaded."""
    if not user_ids:
        return {}
    hend = first + timedelta(days=7 * weeks - 1)
    off_rows = [(user_id, a, b) for user_id, spans in off.items() for a, b in spans]
    sql = SQL.format(task=ProjectTask._meta.db_table, project=Project._meta.db_table)
    params = {
        "agency": agency.pk, "users": list(user_ids), "today": today, "first": first, "hend": hend,
        "weeks": weeks, "task_statuses": list(ProjectTask.OPEN_STATUSES),
        "project_statuses": list(Project.OPEN_STATUSES), "weekdays": sorted(calendar.weekdays),
        "holidays": sorted(calendar.holidays),
        "off_users": [r[0] for r in off_rows], "off_starts": [r[1] for r in off_rows],
        "off_ends": [r[2] for r in off_rows],
    }
    result: dict[object, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for user_id, k, hours in cursor.fetchall():
            result[user_id][int(k)] += Decimal(hours or 0)
    return result
