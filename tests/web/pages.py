"""Reading rendered pages in tests: a small HTML tree (stdlib parser) and the reader's wording.

Screens are Vietnamese by default, and the Vietnamese catalogue grows while the code does, so a
test never hard-codes a sentence: `vi("Changes saved.")` is whatever the page shows for it today.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Protocol

from django.utils import translation
from django.utils.translation import gettext

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def __repr__(self) -> str:
        attrs = " ".join(f'{k}="{v}"' for k, v in self.attrs.items())
        return f"<{self.tag} {attrs}>".replace(" >", ">")

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The element's text with whitespace collapsed, as a reader sees it."""
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            else:
                yield " " if child.tag in VOID else ""
                yield from child._texts()

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def select(
        self, tag: str | None = None, *, cls: str | None = None, **attrs: Any
    ) -> list[Element]:
        """Descendants by tag, one class and attribute values (True: the attribute is present).

        Attribute names use _ for -: select(data_code="1.3") matches data-code="1.3".
        """
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if cls is not None and cls not in element.classes:
                continue
            if all(
                (name in element.attrs) if value is True else element.attrs.get(name) == value
                for name, value in wanted.items()
            ):
                found.append(element)
        return found

    def one(self, tag: str | None = None, *, cls: str | None = None, **attrs: Any) -> Element:
        found = self.select(tag, cls=cls, **attrs)
        assert len(found) == 1, f"expected one {tag or ''}.{cls or ''} {attrs}, found {found}"
        return found[0]

    def has(self, tag: str | None = None, *, cls: str | None = None, **attrs: Any) -> bool:
        return bool(self.select(tag, cls=cls, **attrs))


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(content: bytes | str) -> Element:
    builder = _Builder()
    builder.feed(content.decode() if isinstance(content, bytes) else content)
    builder.close()
    return builder.root


class Response(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...


def page(response: Response) -> Element:
    """The page of a 200 response."""
    assert response.status_code == 200, response.status_code
    return parse(response.content)


# --- what the page says -------------------------------------------------------------------------


def vi(message: str, **params: object) -> str:
    """The message as the Vietnamese screens show it (the msgid until it is translated)."""
    with translation.override("vi"):
        text = gettext(message)
    return text % params if params else text


def field_errors(doc: Element, name: str) -> list[str]:
    """Error messages shown beside the form field `name` (inside its wrapper)."""
    for wrapper in doc.select(cls="field"):
        if any(e.attrs.get("name") == name for e in wrapper.iter()):
            return [
                li.text for ul in wrapper.select("ul", cls="errorlist") for li in ul.select("li")
            ]
    raise AssertionError(f"no field {name!r} on the page")


def form_errors(doc: Element) -> list[str]:
    """Errors shown above the form, not tied to a field."""
    return [li.text for box in doc.select(cls="form-errors") for li in box.select("li")]


def all_errors(doc: Element) -> list[str]:
    return [li.text for ul in doc.select("ul", cls="errorlist") for li in ul.select("li")]


def alerts(doc: Element) -> list[str]:
    """Flash messages at the top of the page."""
    return [a.text for box in doc.select(cls="messages") for a in box.select(cls="alert")]


def heading(doc: Element) -> str:
    return doc.one("h1").text


def rows(doc: Element, attribute: str) -> list[str]:
    """The values of a data attribute on table rows: rows(doc, "data-username")."""
    return [tr.attrs[attribute] for tr in doc.select("tr") if attribute in tr.attrs]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
