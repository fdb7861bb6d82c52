from __future__ import annotations

from ninja import Schema


class ProvinceOut(Schema):
    code: int
    name: str
    short_name: str
    division_type: str
    codename: str


class CommuneOut(Schema):
    code: int
    name: str
    short_name: str
    division_type: str
    province_code: int
    province_name: str


class CommunePage(Schema):
    count: int
    items: list[CommuneOut]
