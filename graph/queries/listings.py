"""A listing on a date: whether it counts, how an answer shows it, and how long a bar from it lasts."""
from __future__ import annotations

from datetime import date

from graph.record_state import counts_on, standing as record_standing, status_on
from graph.vocabulary import list_category


def in_period(listing: dict, on: str) -> bool:
    """限制期限自 ≤ on ≤ 限制期限至 (no 限制期限至: no end)."""
    start, end = listing.get("valid_from"), listing.get("valid_to")
    return bool(start and start <= on and (not end or on <= end))


def is_active(listing: dict, on: str) -> bool:
    """Active on `on`: within its period, and counting as the data stood that day (not withdrawn, corrected or
    ended by then, graph/record_state.py)."""
    return in_period(listing, on) and counts_on(listing, on)


def listing_status(listing: dict, on: str) -> str:
    """active, future, expired, or why it does not count: withdrawn, corrected, ended, entered_later."""
    why = status_on(listing, on)
    if why is not None:
        return why
    if in_period(listing, on):
        return "active"
    return "future" if (listing.get("valid_from") or "") > on else "expired"


def restriction(listing: dict, on: str) -> dict:
    category = list_category(listing.get("list_type"))
    out = {"type": listing.get("list_type"), "category": category.id, "basis": listing.get("basis"),
           "description": listing.get("description"), "valid_from": listing.get("valid_from"),
           "valid_to": listing.get("valid_to"), "sender": listing.get("sender"),
           "receivers": listing.get("receivers") or [], "status": listing_status(listing, on),
           # The person the listing names, as sent: shown even when no ID number ties them to a node.
           "person_name": listing.get("person_name"), "person_role": listing.get("person_role"),
           "matched_by_name": True if listing.get("_matched_by_name") else None,
           # Its ID (what its sender names to withdraw or correct it), what became of it, open objections.
           **record_standing(listing, on)}
    return out


def bar_end(start: date, years: int) -> date:
    """The last day of a bar of `years` from `start` (民法典 §201–202: counted from the next day, ending on the
    corresponding day; a corresponding day that does not exist is the month's last): listed 2021-03-01, barred
    through 2024-03-01; listed 2020-02-29, through 2023-02-28."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def sorted_listings(listings: list[dict]) -> list[dict]:
    return sorted(listings, key=lambda l: (l.get("valid_from") or "", l.get("list_type") or "", l.get("sender") or ""))
