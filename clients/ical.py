"""A tiny iCalendar (RFC 5545) writer for the personal calendar feed: escaping, UTC times, line folding."""
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    url: str = ""
    categories: str = ""
    updated: datetime | None = None


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets, never inside a UTF-8 character;
    continuation lines start with one space (RFC 5545 §3.1)."""
    out, current, size = [], [], 0
    for char in line:
        n = len(char.encode("utf-8"))
        if size + n > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += n
    out.append("".join(current))
    return CRLF.join(out)


def calendar(*, name: str, events: list[Event], now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//MRM//Personal calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        "X-PUBLISHED-TTL:PT1H",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}",
            f"DTSTAMP:{utc(e.updated or now)}",
            f"DTSTART:{utc(e.start)}",
            f"DTEND:{utc(e.end)}",
            f"SUMMARY:{escape(e.summary)}",
        ]
        if e.description:
            lines.append(f"DESCRIPTION:{escape(e.description)}")
        if e.url:
            lines.append(f"URL:{e.url}")
        if e.categories:
            lines.append(f"CATEGORIES:{escape(e.categories)}")
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
