"""UTM parameters on the canonical link."""

from __future__ import annotations

from crosspost.render.links import add_utm

UTM = {"utm_source": "facebook", "utm_medium": "social"}


def test_utm_parameters_are_appended() -> None:
    assert add_utm("https://tapchicongsan.org.vn/bai-viet/123", UTM) == (
        "https://tapchicongsan.org.vn/bai-viet/123?utm_source=facebook&utm_medium=social"
    )


def test_existing_parameters_and_fragment_are_kept_as_written() -> None:
    link = "https://tapchicongsan.org.vn/tim-kiem?q=x%C3%A2y+d%E1%BB%B1ng&page=2#ket-qua"
    assert add_utm(link, UTM) == (
        "https://tapchicongsan.org.vn/tim-kiem?q=x%C3%A2y+d%E1%BB%B1ng&page=2"
        "&utm_source=facebook&utm_medium=social#ket-qua"
    )


def test_an_accounts_parameter_replaces_one_of_the_same_name() -> None:
    link = "https://tapchicongsan.org.vn/a?utm_source=newsletter&id=7"
    assert add_utm(link, {"utm_source": "x"}) == "https://tapchicongsan.org.vn/a?id=7&utm_source=x"


def test_no_utm_leaves_the_link_alone() -> None:
    assert (
        add_utm("https://tapchicongsan.org.vn/a?b=1", None) == "https://tapchicongsan.org.vn/a?b=1"
    )
    assert add_utm("https://tapchicongsan.org.vn/a", {}) == "https://tapchicongsan.org.vn/a"
