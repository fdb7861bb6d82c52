"""The item bank a sitting runs on: parameters kept per sitting, cached by content.

A sitting keeps the item parameters it started with (a ``BankSnapshot`` shared
by every sitting on the same bank), so a parameter import mid-sitting never
changes the test under a learner. Banks are cached in this process by their
fingerprint (the hash of their ids, parameters and areas), so a cached entry
never goes stale. Item rows (keys, texts) are never cached here: editors fix
them in place.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Iterable

from hocvuso.assessment.bank import bank_for
from hocvuso.assessment.models import BankSnapshot, Item, ItemExposure, TestSession
from hocvuso.psychometrics import CatSession, ItemBank

# Banks by fingerprint (the hash of their ids, parameters and areas): an entry
# never goes stale, since a change of parameters is a new fingerprint. Item rows
# (keys, texts) are not cached: they change in place when editors fix them.
_BANKS: OrderedDict[str, ItemBank] = OrderedDict()
_BANK_CACHE_SIZE = 32


def bank_cache_clear() -> None:
    """Forget the banks this process keeps (they are rebuilt on demand)."""
    _BANKS.clear()


def bank_cached(bank: ItemBank) -> ItemBank:
    """Return the cached bank with ``bank``'s fingerprint, caching ``bank`` if new."""
    key = bank.fingerprint
    cached = _BANKS.get(key)
    if cached is not None:
        _BANKS.move_to_end(key)
        return cached
    _BANKS[key] = bank
    while len(_BANKS) > _BANK_CACHE_SIZE:
        _BANKS.popitem(last=False)
    return bank


def bank_snapshot(bank: ItemBank) -> BankSnapshot:
    """Return the stored copy of ``bank``'s parameters, writing it if new."""
    params = {
        "schema_version": 1,
        "item_ids": list(bank.item_ids),
        "a": [float(x) for x in bank.a],
        "b": [float(x) for x in bank.b],
        "c": [float(x) for x in bank.c],
        "areas": list(bank.areas or ()),
    }
    snapshot, _created = BankSnapshot.objects.get_or_create(
        fingerprint=bank.fingerprint, defaults={"params": params}
    )
    return snapshot


def item_rows(item_ids: Iterable[str]) -> dict[str, Item]:
    """Return the item rows by id as they are now (keys and texts may change)."""
    rows = Item.objects.select_related("competence", "level").in_bulk(list(item_ids))
    return {str(pk): item for pk, item in rows.items()}


def session_bank(session: TestSession) -> ItemBank:
    """Return the bank a sitting started with, whatever was imported since.

    A sitting started before snapshots were stored has none: it goes on with
    the parameters its items have now.
    """
    if session.bank_id is None:
        rows = item_rows(session.bank_items)
        return bank_cached(bank_for([rows[i] for i in session.bank_items]))
    cached = _BANKS.get(session.bank_id)
    if cached is not None:
        _BANKS.move_to_end(session.bank_id)
        return cached
    p = BankSnapshot.objects.values_list("params", flat=True).get(pk=session.bank_id)
    return bank_cached(
        ItemBank.from_arrays(p["item_ids"], p["a"], p["b"], p["c"], areas=p["areas"])
    )


def session_restore(session: TestSession) -> CatSession:
    """Return the adaptive-test state of a sitting on the bank it started with.

    Sympson-Hetter sittings get the blueprint's stored ``k`` (item-eligibility
    sittings keep their draw in the state and need no parameters).
    """
    bank = session_bank(session)
    if (session.cat_state.get("config") or {}).get("exposure") == "sympson_hetter":
        stored = dict(
            ItemExposure.objects.filter(
                blueprint_id=session.blueprint_id, method="sympson_hetter"
            ).values_list("item_id", "value")
        )
        if stored:
            bank = bank.with_sh_k(
                [float(stored.get(uuid.UUID(i), 1.0)) for i in bank.item_ids]
            )
    state = session.cat_state
    if session.bank_id is None:
        here = {"fingerprint": bank.fingerprint, "n_items": len(bank)}
        state = state | {"bank": here}
    return CatSession.from_dict(state, bank)
