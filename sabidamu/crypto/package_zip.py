"""Reading the decrypted ZIP of a .sdcard package (or of a kindergarten's bundle) safely: names that stay inside
the archive, regular files only, sizes counted as they come out (no ZIP bomb), exactly the format's entries."""

from __future__ import annotations

import copy
import io
import stat
import zipfile

from .package_format import ENTRY_NAMES, Limits, PackageError

_READ_CHUNK = 64 * 1024


def _check_entry_name(name: str, seen: set[str]) -> None:
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or name.endswith("/")
        or ":" in name  # drive letters (C:) and alternate data streams
        or "\x00" in name
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise PackageError("unsafe_path", repr(name))
    if name in seen:
        raise PackageError("unsafe_path", f"duplicate entry {name!r}")
    seen.add(name)


def check_regular_file(info: zipfile.ZipInfo) -> None:
    """Only regular files: a symlink, a directory (with or without data) or a device is refused, whatever its
    name. Unix archivers keep the file type in the upper 16 bits of `external_attr`; MS-DOS ones mark a
    directory with attribute bit 0x10."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)  # 0 when the archiver kept only permission bits (Python's writestr does)
    if info.external_attr & 0x10 or kind not in (0, stat.S_IFREG):
        raise PackageError("not_regular_file", f"{info.filename!r} mode {oct(mode)}")


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limits: Limits) -> bytes:
    """Read one entry, counting what actually comes out rather than trusting its header.

    zipfile stops at the declared size and then reports a CRC error, which would hide an entry
    that unpacks to more than it claims; so we read from a copy whose declared size is the most we
    are willing to accept, and compare the real size with the header ourselves. The CRC is still
    checked by zipfile over the real bytes.
    """
    cap = min(budget, limits.max_total_uncompressed)
    probe = copy.copy(info)
    # One chunk of slack: we stop as soon as we pass `cap`, before zipfile reaches the probe size
    # (at which it would end the entry and report a CRC error instead of the real problem).
    probe.file_size = cap + _READ_CHUNK + 1
    out = bytearray()
    with archive.open(probe) as stream:
        while True:
            chunk = stream.read(_READ_CHUNK)
            if not chunk:
                break
            out += chunk
            if len(out) > cap:
                raise PackageError("zip_bomb", f"{info.filename} unpacks beyond the size limit")
    if len(out) > info.file_size:
        raise PackageError("zip_bomb", f"{info.filename} unpacks beyond its declared size")
    if len(out) < info.file_size:
        raise PackageError("not_zip", f"{info.filename} is shorter than its declared size")
    if (
        len(out) > limits.ratio_check_min_bytes
        and len(out) > limits.max_compression_ratio * max(info.compress_size, 1)
    ):
        raise PackageError("zip_bomb", f"{info.filename} compression ratio too high")
    return bytes(out)


def _unpack(plaintext: bytes, limits: Limits) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(plaintext))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise PackageError("not_zip", str(exc)) from exc
    with archive:
        if len(infos) > limits.max_entries:
            raise PackageError("too_many_entries", f"{len(infos)} entries")
        seen: set[str] = set()
        for info in infos:
            _check_entry_name(info.filename, seen)
            if info.is_dir():
                raise PackageError("unsafe_path", f"directory {info.filename!r}")
            check_regular_file(info)
        declared_total = sum(info.file_size for info in infos)
        if declared_total > limits.max_total_uncompressed:
            raise PackageError("zip_bomb", f"declared {declared_total} bytes unpacked")
        for info in infos:
            if (
                info.file_size > limits.ratio_check_min_bytes
                and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
            ):
                raise PackageError("zip_bomb", f"{info.filename} compression ratio too high")
        for info in infos:
            if info.filename not in ENTRY_NAMES:
                raise PackageError("unexpected_entry", repr(info.filename))
        for name in ENTRY_NAMES:
            if name not in seen:
                raise PackageError("missing_entry", name)
        contents: dict[str, bytes] = {}
        budget = limits.max_total_uncompressed
        for info in infos:
            if info.flag_bits & 0x1:
                raise PackageError("not_zip", f"{info.filename} is encrypted inside the ZIP")
            try:
                content = _read_bounded(archive, info, budget, limits)
            except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
                # Bad CRC, unknown compression method, cut stream: the ZIP itself is broken.
                raise PackageError("not_zip", f"{info.filename}: {exc}") from exc
            budget -= len(content)
            contents[info.filename] = content
    return contents
