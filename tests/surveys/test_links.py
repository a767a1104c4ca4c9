"""The page of links and QR codes per agency: the province's coordinators print it."""

from __future__ import annotations

from collections.abc import Callable

import segno
from django.test import Client

from parindex.orgs.models import User
from parindex.surveys.models import Survey


def test_a_coordinator_sees_each_agencys_link_and_qr_code(
    survey: Survey, coordinator: User, client_for: Callable[[User], Client]
) -> None:
    page = client_for(coordinator).get(f"/surveys/{survey.pk}/links/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "http://testserver/s/sipas-2020/so-tu-phap/" in text
    assert "http://testserver/s/sipas-2020/bat-xat/" in text
    # The province itself takes no answers; each card's QR code encodes its link.
    assert "/s/sipas-2020/lao-cai/" not in text
    qr = segno.make("http://testserver/s/sipas-2020/so-tu-phap/", error="m")
    assert qr.svg_data_uri(scale=4, border=2) in text


def test_only_the_provinces_coordinators_print_the_links(
    survey: Survey,
    leader: User,
    reporter: User,
    outsider: User,
    client_for: Callable[[User], Client],
) -> None:
    url = f"/surveys/{survey.pk}/links/"
    assert client_for(leader).get(url).status_code == 403
    assert client_for(reporter).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
