"""403, 404, 500 and a refused form are the product's own pages, in Vietnamese, in its frame,
with a way back; the 500 page needs neither the database nor the request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory, override_settings

from parindex.orgs.models import User
from parindex.web.views import errors
from tests.web.pages import parse, vi

ClientFor = Callable[[User], Client]


def assert_product_page(content: bytes, title: str) -> None:
    doc = parse(content)
    assert doc.one("h1").text.strip() == vi(title)
    html = content.decode()
    assert '<html lang="vi">' in html
    assert 'class="app-header"' in html  # the product's frame
    assert 'href="/">Về trang chủ</a>' in html  # a way back


def test_unknown_address_gives_the_products_not_found_page_with_navigation(
    coordinator: User, client_for: ClientFor
) -> None:
    response = client_for(coordinator).get("/no-such-page/")
    assert response.status_code == 404
    assert_product_page(response.content, "Page not found")
    assert "Không tìm thấy trang" in response.content.decode()
    assert 'class="app-nav"' in response.content.decode()  # signed in: the navigation stays


def test_not_found_page_for_someone_signed_out_offers_to_sign_in(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert_product_page(response.content, "Page not found")
    assert 'class="app-nav"' not in response.content.decode()
    assert "/login/?next=/no-such-page/" in response.content.decode()


def test_refused_page_is_the_products_access_denied_page(
    reporter: User, client_for: ClientFor
) -> None:
    response = client_for(reporter).get("/orgs/new/")
    assert response.status_code == 403
    assert_product_page(response.content, "Access denied")
    assert "Không có quyền truy cập" in response.content.decode()


def test_form_sent_without_its_token_gets_the_products_expired_form_page(
    coordinator: User,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post("/orgs/new/", {"name": "Sở Du lịch"})
    assert response.status_code == 403
    assert_product_page(response.content, "The form has expired")
    assert "Biểu mẫu đã hết hạn" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.web.error_urls")
def test_a_failure_gives_the_products_error_page_in_vietnamese(
    coordinator: User,
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert_product_page(response.content, "Something went wrong")
    assert "Đã xảy ra lỗi" in response.content.decode()


def test_error_page_renders_without_the_database_or_the_request() -> None:
    # No `db` fixture: any query would fail, and so would reading the signed-in person.
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_product_page(response.content, "Something went wrong")


def test_error_page_falls_back_to_plain_vietnamese_when_its_template_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(name: str) -> None:
        raise OSError("templates unreadable")

    monkeypatch.setattr("parindex.web.views.errors.loader.get_template", broken)
    response = errors.server_error()
    assert response.status_code == 500
    assert "Đã xảy ra lỗi" in response.content.decode()
