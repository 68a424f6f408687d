"""Long lists a page at a time (core/paging.py, components/pager.html), downloads' names
(core/filenames.py), and the favicon browsers ask for on their own."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import RequestFactory

from parindex.core.filenames import ascii_words, download_name, file_stem
from parindex.core.paging import PAGE_SIZE, kept_query, paginate


def get(query: str):
    return RequestFactory().get("/danh-gia/?" + query)


def test_the_kept_query_drops_the_page_number_and_empty_filters():
    assert kept_query(get("q=Đông+Hà&nam=&trang=3&trang-thai=draft")) == "q=%C4%90%C3%B4ng+H%C3%A0&trang-thai=draft"
    assert kept_query(get("trang=2")) == ""


def test_fifty_a_page_with_the_filters_in_the_pagers_links():
    page = paginate(get("q=xa&trang=2"), list(range(120)))
    assert PAGE_SIZE == 50 and list(page)[0] == 50 and page.paginator.num_pages == 3 and page.query == "q=xa"
    html = render_to_string("components/pager.html", {"page": page})
    assert 'href="?q=xa&amp;trang=1" rel="prev">‹ Trang trước</a>' in html
    assert 'href="?q=xa&amp;trang=3" rel="next">Trang sau ›</a>' in html
    assert "Trang 2/3" in html and "Trang đầu" not in html and "Trang cuối" not in html
    first = render_to_string("components/pager.html", {"page": paginate(get("q=xa"), list(range(500)))})
    assert "Trang trước" not in first and 'href="?q=xa&amp;trang=10">Trang cuối »</a>' in first
    two = render_to_string("components/pager.html", {"page": paginate(get("q=xa&nam=2026"), list(range(60)))})
    assert 'href="?q=xa&amp;nam=2026&amp;trang=2"' in two


def test_a_page_out_of_range_or_not_a_number_is_the_last_or_the_first():
    assert paginate(get("trang=99"), list(range(120))).number == 3
    assert paginate(get("trang=abc"), list(range(120))).number == 1


def test_one_page_has_no_pager_and_a_known_count_is_not_counted_again():
    assert render_to_string("components/pager.html", {"page": paginate(get(""), [1, 2])}).strip() == ""
    page = paginate(get(""), list(range(10)), count=10)
    assert page.paginator.count == 10


def test_a_list_shown_inside_another_page_links_to_its_own_path():
    page = paginate(get("trang=1"), list(range(60)))
    html = render_to_string("components/pager.html", {"page": page, "base": "/danh-gia/7/lich-su/"})
    assert 'href="/danh-gia/7/lich-su/?trang=2"' in html


def test_download_names_are_ascii_vietnamese_words_with_the_unit_and_year():
    assert ascii_words("Xã Nam Cửa Việt") == "xa-nam-cua-viet"
    assert ascii_words("Phường Đông Hà") == "phuong-dong-ha"
    assert download_name("KH-khac-phuc-chi-so-CCHC", 2025, "Xã Nam Cửa Việt", "so-45", suffix="docx") == (
        "KH-khac-phuc-chi-so-CCHC-2025-xa-nam-cua-viet-so-45.docx"
    )
    assert file_stem("chi-so-CCHC", "", None, "Tỉnh Quảng Trị") == "chi-so-CCHC-tinh-quang-tri"
    assert download_name("mau", "a/b\\c:d", suffix="csv") == "mau-a-b-c-d.csv"


def test_the_favicon_answers_where_browsers_ask_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
    html = client.get("/dang-nhap/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
