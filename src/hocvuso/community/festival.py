"""The standard programme of the National Digital Learning Festival (10 October).

Data, not interface text: the programme is created in Vietnamese, as drafts
that the commune's officer then adjusts (times, venue, places).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from hocvuso.community.models import EventKind

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FESTIVAL_MONTH, FESTIVAL_DAY = 10, 10


@dataclass(frozen=True)
class FestivalSlot:
    key: str
    kind: str
    start: time
    end: time
    capacity: int
    title: str
    description: str


FESTIVAL_SLOTS: tuple[FestivalSlot, ...] = (
    FestivalSlot(
        key="opening",
        kind=EventKind.SEMINAR,
        start=time(7, 30),
        end=time(8, 30),
        capacity=200,
        title="Khai mạc Ngày hội Bình dân học vụ số",
        description=(
            "Lễ khai mạc và hội thảo ngắn: vì sao ai cũng cần biết dùng điện thoại "
            "thông minh, học ở đâu, ai giúp mình. Mời bà con cùng dự."
        ),
    ),
    FestivalSlot(
        key="vneid",
        kind=EventKind.DEVICE_CLINIC,
        start=time(8, 30),
        end=time(11, 0),
        capacity=60,
        title="Hỗ trợ kích hoạt tài khoản định danh điện tử VNeID mức 2",
        description=(
            "Cán bộ công an và tổ công nghệ số cộng đồng giúp cài ứng dụng VNeID, "
            "kích hoạt tài khoản mức 2 và dùng ví giấy tờ. Mang theo căn cước và "
            "điện thoại có số thuê bao chính chủ."
        ),
    ),
    FestivalSlot(
        key="public-services",
        kind=EventKind.CLASS,
        start=time(8, 30),
        end=time(10, 30),
        capacity=40,
        title="Làm thủ tục hành chính trên Cổng Dịch vụ công quốc gia",
        description=(
            "Hướng dẫn từng bước nộp hồ sơ trực tuyến: khai sinh, đăng ký thường "
            "trú, cấp lại giấy tờ; tra cứu kết quả và nộp phí ngay trên điện thoại."
        ),
    ),
    FestivalSlot(
        key="cashless",
        kind=EventKind.CLASS,
        start=time(14, 0),
        end=time(15, 30),
        capacity=40,
        title="Thanh toán không dùng tiền mặt và mã VietQR cho tiểu thương",
        description=(
            "Dành cho người bán hàng ở chợ và cửa hàng: tạo mã VietQR để nhận tiền, "
            "kiểm tra tiền đã về tài khoản, giữ an toàn mật khẩu và mã OTP."
        ),
    ),
    FestivalSlot(
        key="scams",
        kind=EventKind.SEMINAR,
        start=time(15, 30),
        end=time(16, 30),
        capacity=100,
        title="Nhận biết và phòng tránh lừa đảo trên mạng",
        description=(
            "Những chiêu lừa thường gặp: giả danh công an, ngân hàng, người thân; "
            "đường link lạ, cuộc gọi video giả. Làm gì khi nghi bị lừa."
        ),
    ),
    FestivalSlot(
        key="ehealth",
        kind=EventKind.DEVICE_CLINIC,
        start=time(16, 30),
        end=time(17, 30),
        capacity=40,
        title="Cài đặt và dùng Sổ sức khỏe điện tử",
        description=(
            "Giúp bà con mở Sổ sức khỏe điện tử trên VNeID, xem lịch sử khám chữa "
            "bệnh, tiêm chủng và dùng khi đi khám."
        ),
    ),
)


def festival_times(year: int, slot: FestivalSlot) -> tuple[datetime, datetime]:
    """Return the slot's start and end on 10 October ``year`` (Vietnam time)."""
    day = datetime(year, FESTIVAL_MONTH, FESTIVAL_DAY, tzinfo=VIETNAM).date()
    return (
        datetime.combine(day, slot.start, tzinfo=VIETNAM),
        datetime.combine(day, slot.end, tzinfo=VIETNAM),
    )
