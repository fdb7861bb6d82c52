from __future__ import annotations

from hocvuso.assistant import normalize as nz
from hocvuso.assistant.scrub import scrub


def test_fold_removes_diacritics_and_d_stroke_after_nfc() -> None:
    decomposed = "Ki\u0301ch hoa\u0323t ĐỊNH danh"  # combining marks (NFD input)
    assert nz.fold(decomposed) == "kich hoat dinh danh"
    assert nz.nfc_lower(decomposed) == "kích hoạt định danh"
    assert nz.has_accents("kích hoạt") and not nz.has_accents("kich hoat vneid")


def test_bigrams_do_not_cross_punctuation() -> None:
    terms = nz.with_bigrams(nz.clauses("Mở ứng dụng, chọn đăng ký"))
    assert "mở_ứng" in terms and "chọn_đăng" in terms
    assert "dụng_chọn" not in terms


def test_synonym_table_finds_phrases_without_accents() -> None:
    table = nz.SynonymTable([["cccd", "căn cước công dân"], ["ck", "chuyển khoản"]])
    words = nz.fold("quet chip can cuoc cong dan roi ck").split()
    found = table.find(words)
    assert [(s, e) for s, e, _ in found] == [(2, 6), (7, 8)]
    assert table.groups[found[0][2]][0] == ("cccd",)


def test_typo_fixer_repairs_one_letter_against_the_vocabulary() -> None:
    fixer = nz.TypoFixer({"kich": 5, "hoat": 9, "matkhau": 2, "chat": 1})
    assert fixer.fix("haot") == "hoat"  # two letters swapped
    assert fixer.fix("kicch") == "kich"  # one letter too many
    assert fixer.fix("hoat") == "hoat"  # known words stay
    assert fixer.fix("ab") == "ab"  # too short to guess
    assert fixer.fix("zzzzzz") == "zzzzzz"  # nothing close


def test_scrub_removes_phone_id_numbers_and_email() -> None:
    text = scrub("số 0912 345 678, cccd 001203004567, mail a.b@x.vn, mức 2")
    assert "0912" not in text and "001203004567" not in text
    assert "a.b@x.vn" not in text and "mức 2" in text
    assert text.count("[số]") == 2
