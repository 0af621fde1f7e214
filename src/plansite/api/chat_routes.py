"""Assistant service, honest edition: no language model is configured, so questions about
counts are answered by rule from the stored takeoff, and anything else gets a plain
statement of what can be asked. ``llm`` in the answer is null so no client mistakes it.

Understood: "how many <fixture>" (names, plurals and common words such as toilet, WC, lav),
"... by room", "... by sheet" / "per sheet", and "total" / "how many fixtures".
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from plansite.api import lookups
from plansite.api.problems import responses
from plansite.api.schemas import ChatIn, ChatOut
from plansite.api.services import db
from plansite.store.models import DetectionRecord

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])

NO_LLM = "No language model is configured; I answer fixture-count questions from the takeoff."

_WORDS = {
    "toilet": "water_closet", "wc": "water_closet", "water closet": "water_closet",
    "lav": "lavatory", "basin": "lavatory", "washbasin": "lavatory", "urinal": "urinal",
    "shower": "shower", "tub": "bathtub", "bath": "bathtub", "bathtub": "bathtub",
    "floor drain": "floor_drain", "cleanout": "cleanout", "water heater": "water_heater",
    "hose bibb": "hose_bibb", "mop sink": "service_sink", "kitchen sink": "kitchen_sink",
    "sink": "sink", "dishwasher": "dishwasher", "drinking fountain": "drinking_fountain",
}


@router.post("", response_model=ChatOut, responses=responses(404, 409, 422))
def ask(body: ChatIn, session: Annotated[Session, Depends(db)]) -> ChatOut:
    """Answer a count question from the takeoff, by rule; no language model is used."""
    result = lookups.takeoff(session, body.plan_set_id).result
    question = body.question.lower()
    fixture = _fixture_in(question, result["counts"])
    if not re.search(r"how many|count|number of|total|by room|per room|by sheet|per sheet",
                     question):
        return ChatOut(answer=f"{NO_LLM} Try: 'how many toilets by room?'")

    if "room" in question:
        counts = _grouped(session, body.plan_set_id, "room", fixture)
        where = "room"
    elif "sheet" in question:
        counts = _grouped(session, body.plan_set_id, "sheet", fixture)
        where = "sheet"
    else:
        counts, where = None, ""
    return ChatOut(answer=_sentence(result["counts"], fixture, counts, where),
                   facts={"fixture_type": fixture, "by": where or None,
                          "counts": counts if counts is not None else result["counts"]})


def _fixture_in(question: str, counts: dict[str, int]) -> str | None:
    for name in sorted(counts, key=len, reverse=True):
        if name in question or name.replace("_", " ") in question:
            return name
    for word, name in sorted(_WORDS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(word)}s?\b", question):
            return name
    return None


def _grouped(session: Session, plan_set_id: str, key: str, fixture: str | None) -> dict:
    totals: Counter[str] = Counter()
    for data in session.scalars(
        select(DetectionRecord.data).where(DetectionRecord.plan_set_id == plan_set_id)
    ):
        if fixture and data["type"] != fixture:
            continue
        label = str(data.get(key) or "(unassigned)")
        totals[label] += int(data.get("quantity", 1))
    return dict(sorted(totals.items()))


def _sentence(counts: dict[str, int], fixture: str | None, grouped: dict | None,
              where: str) -> str:
    what = fixture.replace("_", " ") if fixture else "fixtures"
    total = counts.get(fixture, 0) if fixture else sum(counts.values())
    text = f"The takeoff counts {total} {what}."
    if grouped:
        parts = ", ".join(f"{k}: {v}" for k, v in grouped.items())
        text += f" By {where}: {parts}."
    elif not fixture and counts:
        text += " " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()) + "."
    return f"{text} ({NO_LLM})"


