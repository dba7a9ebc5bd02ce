"""Every word the web workspace shows, in one place: Vietnamese by default.

A page asks for `t("key")` (templates get it as `t`); adding English is a second table with
the same keys, chosen per request.
"""

from __future__ import annotations

from collections.abc import Mapping

VI: Mapping[str, str] = {
    "app": "crosspost — bàn làm việc",
    "nav.today": "Hôm nay",
    "nav.queue": "Chờ duyệt",
    "nav.logout": "Đăng xuất",
    "login.title": "Đăng nhập",
    "login.name": "Tên người dùng",
    "login.password": "Mật khẩu",
    "login.submit": "Đăng nhập",
    "login.wrong": "Sai tên người dùng hoặc mật khẩu.",
    "login.throttled": "Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút.",
    "today.title": "Hôm nay",
    "today.today": "Đăng trong hôm nay",
    "today.tomorrow": "Đăng ngày mai",
    "today.failed": "Bị lỗi (7 ngày qua)",
    "today.waiting": "Đang chờ, và vì sao",
    "today.paused": "Tài khoản tạm dừng",
    "today.resume": "Sửa thông tin đăng nhập, rồi chạy: crosspost accounts check {name}",
    "today.none": "Không có.",
    "queue.title": "Chờ duyệt",
    "queue.none": "Không có bài nào chờ duyệt.",
    "queue.pick": "Chọn",
    "queue.approve": "Duyệt các bài đã chọn",
    "queue.reject": "Từ chối các bài đã chọn",
    "queue.reason": "Lý do từ chối",
    "queue.approved": "Đã duyệt: {ids}.",
    "queue.rejected": "Đã từ chối: {ids}.",
    "queue.read_only": "Bạn chỉ xem được các bài của đơn vị mình.",
    "queue.unit": "Đơn vị",
    "queue.kind": "Loại",
    "queue.submitted": "Tạo lúc",
    "queue.problems": "Vấn đề",
    "queue.no_problems": "Không có vấn đề.",
    "queue.no_drafts": "Chưa có bản đăng: {reason}",
    "draft.part": "Phần",
    "draft.weighted": "độ dài có trọng số",
    "draft.title": "Tiêu đề",
    "draft.description": "Mô tả",
    "draft.tags": "Thẻ",
    "draft.message": "Nội dung",
    "draft.link": "Liên kết",
    "draft.media": "Tệp",
    "draft.chars": "ký tự",
    "draft.bytes": "byte",
    "post.title": "Bài đăng #{id}",
    "post.content": "Nội dung",
    "post.account": "Tài khoản",
    "post.state": "Trạng thái",
    "post.scheduled": "Hẹn giờ",
    "post.goes_out": "Sẽ đăng lúc",
    "post.waiting": "Đang chờ",
    "post.remote": "Liên kết trên nền tảng",
    "post.extra_ids": "Mã khác trên nền tảng",
    "post.repost_of": "Đăng lại của",
    "post.error": "Lỗi gần nhất",
    "post.progress": "Tiến độ",
    "post.draft": "Bản đăng đã lưu",
    "post.no_draft": "Chưa lưu bản đăng (soạn khi worker nhận bài).",
    "post.attempts": "Các lần thử",
    "post.history": "Lịch sử",
    "post.cancel": "Huỷ bài đăng",
    "post.cancel_reason": "Lý do huỷ",
    "post.retry": "Đăng lại ngay",
    "post.cancelled": "Đã huỷ bài đăng.",
    "post.retried": "Đã xếp lại hàng đợi.",
    "col.id": "Mã",
    "col.content": "Nội dung",
    "col.account": "Tài khoản",
    "col.state": "Trạng thái",
    "col.when": "Thời gian",
    "col.detail": "Chi tiết",
    "col.outcome": "Kết quả",
    "col.actor": "Người làm",
    "col.action": "Việc",
    "error.title": "Có lỗi",
    "error.not_found": "Không tìm thấy trang này.",
    "error.forbidden": "Bạn không có quyền dùng trang này.",
    "error.csrf": "Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang rồi thử lại.",
    "error.too_large": "Biểu mẫu quá lớn.",
    "error.method": "Trang này không nhận yêu cầu kiểu này.",
    "error.unexpected": "Có lỗi không mong đợi; hãy báo cho quản trị viên (mã tham chiếu {ref}).",
    "error.refused": "Không làm được: {message}",
    "error.back": "Về trang Hôm nay",
    "signed_in_as": "Đăng nhập: {name} ({role})",
}

TEXTS: Mapping[str, Mapping[str, str]] = {"vi": VI}


def t(key: str, language: str = "vi", **values: object) -> str:
    """The text for `key` in `language`, with `{name}` fields filled in."""
    text = TEXTS.get(language, VI).get(key) or VI[key]
    return text.format(**values) if values else text
