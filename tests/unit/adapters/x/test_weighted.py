"""X's weights for Vietnamese, emoji and URLs, as crosspost counts them."""

from __future__ import annotations

from crosspost.adapters.base import Limits
from crosspost.adapters.x.weighted import WeightConfig, weighted_length
from tests.unit.render.samples import nfd


def test_precomposed_vietnamese_letters_weigh_two_and_o_horn_u_horn_d_stroke_one() -> None:
    assert weighted_length("ạ") == 2
    assert weighted_length("ế") == 2
    assert weighted_length("ộ") == 2
    assert weighted_length("ơưđ") == 3
    assert weighted_length("àêô") == 3  # Latin-1 letters weigh 1
    assert weighted_length("Đảng") == 5  # Đ 1, ả 2, n 1, g 1


def test_nfd_text_counts_as_its_nfc_form() -> None:
    text = "Ban Chấp hành Đảng bộ tỉnh Thừa Thiên Huế"
    assert nfd(text) != text
    # 41 code points; ấ ả ộ ỉ ừ ế weigh 2, while à and ê (Latin-1) weigh 1
    assert weighted_length(nfd(text)) == weighted_length(text) == 41 + 6


def test_a_url_weighs_23_and_an_emoji_sequence_2() -> None:
    url = "https://www.tapchicongsan.org.vn/web/guest/xay-dung-dang/-/2018/912345/bai-viet.aspx"
    assert weighted_length(url) == 23
    assert weighted_length("👨‍👩‍👧‍👦") == 2
    assert weighted_length("🇻🇳") == 2


def test_an_adapters_limits_set_the_post_limit_and_url_weight() -> None:
    config = WeightConfig.for_limits(Limits(text_max=25_000, url_weight=30))
    assert config.max_weighted_length == 25_000
    assert weighted_length("xem https://tapchicongsan.org.vn", config) == 4 + 30
