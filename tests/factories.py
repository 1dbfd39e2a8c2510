"""Factories that build data the way the platform receives it."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import factory
from django.utils import timezone

from surveys.models import Channel, Response, Source


def answers_for(
    questionnaire, satisfied_share: float = 0.8, rng: random.Random | None = None
) -> str:
    """An answer string for a questionnaire: each criterion satisfied (4 or 5) with
    the given probability, otherwise 1 to 3, and now and then "does not apply"."""
    rng = rng or random.Random()
    chars = []
    for _ in range(questionnaire.criteria.count()):
        roll = rng.random()
        if roll < 0.03:
            chars.append("0")
        elif rng.random() < satisfied_share:
            chars.append(rng.choice("45"))
        else:
            chars.append(rng.choice("123"))
    return "".join(chars)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    uid = factory.LazyFunction(uuid.uuid4)
    channel = Channel.IN_PERSON
    source = Source.WEB
    responded_on = factory.LazyFunction(lambda: timezone.localdate())
    received_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(
            dt.datetime.combine(o.responded_on, dt.time(10, 30))
        )
    )
    answers = factory.LazyAttribute(lambda o: answers_for(o.questionnaire))
