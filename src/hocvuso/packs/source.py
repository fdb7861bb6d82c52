"""Read a content pack from a folder or a zip file, safely."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from hocvuso.packs.errors import PackSourceError

__all__ = ["MAX_FILE_BYTES", "MAX_PACK_BYTES", "PackSource", "PackSourceError"]

MAX_PACK_BYTES = 200 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024


class PackSource:
    """Files of a pack, addressed by POSIX paths relative to the pack root."""

    def __init__(self, files: dict[str, bytes], label: str) -> None:
        self.files = files
        self.label = label

    @classmethod
    def open(cls, path: Path) -> PackSource:
        if path.is_dir():
            return cls.from_folder(path)
        if path.is_file() and zipfile.is_zipfile(path):
            with path.open("rb") as fh:
                return cls.from_zip(fh.read(), label=path.name)
        raise PackSourceError(f"{path}: not a folder or a zip file")

    @classmethod
    def from_folder(cls, root: Path) -> PackSource:
        files: dict[str, bytes] = {}
        total = 0
        for p in sorted(root.rglob("*")):
            if p.is_file() and not any(part.startswith(".") for part in p.parts[-3:]):
                rel = p.relative_to(root).as_posix()
                if "__pycache__" in rel:
                    continue
                data = p.read_bytes()
                total += len(data)
                if total > MAX_PACK_BYTES:
                    raise PackSourceError(f"{root}: pack larger than 200 MB")
                files[rel] = data
        return cls(files, label=str(root))

    @classmethod
    def from_zip(cls, data: bytes, label: str = "pack.zip") -> PackSource:
        import io

        files: dict[str, bytes] = {}
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise PackSourceError(f"{label}: not a valid zip file") from exc
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if sum(i.file_size for i in infos) > MAX_PACK_BYTES:
            raise PackSourceError(f"{label}: pack larger than 200 MB when unpacked")
        for info in infos:
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise PackSourceError(f"{label}: unsafe path {info.filename!r}")
            if info.file_size > MAX_FILE_BYTES:
                raise PackSourceError(f"{label}: {info.filename} is larger than 20 MB")
            if info.flag_bits & 0x1:
                raise PackSourceError(f"{label}: {info.filename} is encrypted")
            files[name.as_posix()] = _member_read(archive, info, label)
        # A zip of the folder usually has one top-level directory: strip it.
        if "pack.yaml" not in files:
            tops = {p.split("/", 1)[0] for p in files}
            if len(tops) == 1:
                top = tops.pop() + "/"
                files = {
                    p[len(top) :]: d for p, d in files.items() if p.startswith(top)
                }
        return cls(files, label=label)

    def exists(self, rel: str) -> bool:
        return rel in self.files

    def text(self, rel: str) -> str:
        return self.files[rel].decode("utf-8")

    def glob(self, prefix: str, suffix: str) -> Iterator[str]:
        for rel in sorted(self.files):
            if rel.startswith(prefix) and rel.endswith(suffix):
                yield rel


def _member_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    """Return one member's bytes, or explain why they cannot be read.

    The reader stops at the declared size (checked against the 20 MB cap), so
    a forged header cannot make it inflate more; the CRC check then fails.
    Bad CRCs, corrupt deflate streams and unsupported methods (deflate64, …)
    become a :class:`PackSourceError` instead of escaping as a 500.
    """
    try:
        with archive.open(info) as fh:
            return fh.read()
    except NotImplementedError as exc:
        raise PackSourceError(
            f"{label}: {info.filename} uses an unsupported compression method"
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise PackSourceError(f"{label}: {info.filename} is damaged ({exc})") from exc
    except RuntimeError as exc:  # encrypted members ask for a password
        raise PackSourceError(f"{label}: {info.filename} is encrypted") from exc
