"""No text of the other language on a page (issue 9, item 14): every page a parent, a teacher, a head, an admin and
a school's head can reach by following links is crawled in Kazakh and in Russian.

Organizations are named "<name> (kk)" / "<name> (ru)" by the factories, so a name chosen in the wrong language is
visible; a Russian page must not show a Kazakh-only letter outside the children's and people's own names."""
from __future__ import annotations

import re
from collections import deque

import pytest

from tests.factories import make_school
from tests.support.auth import sign_in_with_password
from tests.support.browser import KAZAKH_LETTERS

SKIP = re.compile(r"/logout|/lang|\.pdf|\.csv|\.zip|/download|/export|/static/|\?lang=|\.txt$|\.pub$|/proof|"
                  r"/resume$|/next$")
HREF = re.compile(r'href="(/[^"#]*)"')
MAX_PAGES = 120


def _main(html: str) -> str:
    body = html.split("<main", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _crawl(client, start: str = "/") -> dict[str, str]:
    seen, pages, queue = set(), {}, deque([start])
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        assert response.status_code != 500, url
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        pages[url] = response.text
        for href in HREF.findall(response.text):
            href = href.replace("&amp;", "&")
            if not SKIP.search(href) and href not in seen:
                queue.append(href)
    return pages


@pytest.mark.parametrize("who", ["parenta@example.kz", "teacher1@example.kz", "head1@example.kz",
                                 "admin@example.kz", "schoolhead@example.kz"])
def test_pages_show_only_their_own_language(client, db, keyring, world, who):
    make_school(db, keyring, "School One", head_email="schoolhead@example.kz")
    db.commit()
    # Data, not interface text; and the language's own name in a language choice («Қазақша» on a Russian page).
    own_names = ["Әлия Ахметова", "Сәуле Нұрова", "Қазақша"]
    sign_in_with_password(client, who)
    problems = []
    for lang, other in (("kk", "(ru)"), ("ru", "(kk)")):
        client.post("/lang", data={"lang": lang, "next": "/"})
        crawled = _crawl(client)
        pages_seen = list(crawled)
        for url, html in crawled.items():
            text = _main(html)
            for name in own_names:
                text = text.replace(name, "")
            if other in text:
                at = text.index(other)
                problems.append(f"{lang} {url}: other-language name …{text[max(0, at - 60):at + 5]}")
            if lang == "ru" and KAZAKH_LETTERS.search(text):
                at = KAZAKH_LETTERS.search(text).start()
                problems.append(f"ru {url}: Kazakh text …{text[max(0, at - 40):at + 40]}…")
    assert len(pages_seen) >= 5, pages_seen  # signed in and crawling
    assert not problems, "\n".join(problems)
