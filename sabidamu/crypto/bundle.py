"""The ZIP a kindergarten downloads after a group export (jobs/transfer_zip.bundle): .sdcard packages and an
index.txt. The school may upload that ZIP as it is; this module takes the packages out of it with the same
care as a package's own ZIP (sabidamu.crypto.package): limits before reading, safe names, regular files only,
sizes counted as they come out. Pure: no Flask, no database."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from .package_format import FILE_EXTENSION, Limits, PackageError
from .package_zip import _check_entry_name, _read_bounded, check_regular_file

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
INDEX_NAME = "index.txt"
MiB = 1024 * 1024


@dataclass(frozen=True)
class BundleLimits:
    max_entries: int = 201                     # a group export holds at most 200 packages, plus index.txt
    max_total_uncompressed: int = 100 * MiB
    max_package_bytes: int = Limits().max_package_bytes


@dataclass
class BundleEntry:
    name: str
    data: bytes | None                         # None when the entry is refused or is not a package
    code: str | None = None                    # a PackageError code, or 'not_a_package'


def is_bundle(data: bytes) -> bool:
    return data[:4] in ZIP_MAGIC


def read_bundle(data: bytes, limits: BundleLimits = BundleLimits()) -> list[BundleEntry]:
    """One entry per file in the ZIP except index.txt and empty folders. Raises PackageError when the ZIP as a
    whole cannot be read safely (not a ZIP, too many entries, unsafe names, too large when unpacked)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise PackageError("not_zip", str(exc)[:200]) from exc
    with archive:
        if len(infos) > limits.max_entries:
            raise PackageError("too_many_entries", f"{len(infos)} entries")
        seen: set[str] = set()
        files = []
        for info in infos:
            if info.is_dir() and info.file_size == 0:
                continue  # a folder someone zipped the packages in
            _check_entry_name(info.filename, seen)
            files.append(info)
        if sum(info.file_size for info in files) > limits.max_total_uncompressed:
            raise PackageError("zip_bomb", "declared size of the bundle")
        out: list[BundleEntry] = []
        entry_limits = Limits(max_total_uncompressed=limits.max_package_bytes)
        for info in files:
            base = info.filename.rsplit("/", 1)[-1]
            if base == INDEX_NAME:
                continue
            if not base.lower().endswith(FILE_EXTENSION):
                out.append(BundleEntry(info.filename, None, "not_a_package"))
                continue
            try:
                check_regular_file(info)
                if info.flag_bits & 0x1:
                    raise PackageError("not_zip", "encrypted ZIP entry")
                if info.file_size > limits.max_package_bytes:
                    raise PackageError("too_large", info.filename)
                content = _read_bounded(archive, info, limits.max_package_bytes, entry_limits)
            except PackageError as error:
                out.append(BundleEntry(info.filename, None, error.code))
            except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError):
                out.append(BundleEntry(info.filename, None, "not_zip"))
            else:
                out.append(BundleEntry(info.filename, content))
    return out
