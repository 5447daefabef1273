#!/usr/bin/env python3
"""Packs a folder into a reproducible .zip or .tar.gz and writes its SHA-256 file.

Usage: scripts/package.py FOLDER ARCHIVE EPOCH

The same files give the same bytes on any machine with the same zlib: entries are
sorted, every date is EPOCH (seconds since 1970, e.g. SOURCE_DATE_EPOCH), owners
are root (0) with no names, and modes are 0755 for executables and folders and
0644 for the rest, whatever they are on disk. A .tar.gz holds one folder named
after the archive, as Unix tools expect; a .zip holds the files at its top,
since Windows' «Extract all» makes the folder itself. ARCHIVE.sha256 gets the
checksum in the format `sha256sum -c` and `shasum -a 256 -c` read.
"""

import gzip
import hashlib
import io
import os
import stat
import sys
import tarfile
import time
import zipfile


def entries(folder):
    """(path inside the archive with '/', path on disk, is_dir), sorted by path."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            found.append((rel, path, os.path.isdir(path)))
    return sorted(found)


def mode_of(path, is_dir):
    executable = is_dir or os.stat(path).st_mode & stat.S_IXUSR
    return 0o755 if executable else 0o644


def write_zip(folder, archive, epoch):
    # Zip dates have two-second steps, local time and no year before 1980.
    date = time.gmtime(max(epoch, 315532800))[:6]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for rel, path, is_dir in entries(folder):
            info = zipfile.ZipInfo(rel + "/" if is_dir else rel, date_time=date)
            info.create_system = 3  # Unix, so unzip and macOS keep the modes below
            kind = stat.S_IFDIR if is_dir else stat.S_IFREG
            info.external_attr = (kind | mode_of(path, is_dir)) << 16
            if is_dir:
                info.external_attr |= 0x10  # MS-DOS directory flag
                z.writestr(info, b"")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as f:
                    z.writestr(info, f.read(), compresslevel=9)
    return buf.getvalue()


def write_tar_gz(folder, archive, epoch):
    top = os.path.basename(archive)[: -len(".tar.gz")]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        items = [("", folder, True)] + entries(folder)
        for rel, path, is_dir in items:
            info = tarfile.TarInfo(top + ("/" + rel if rel else ""))
            info.mtime = epoch
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = mode_of(path, is_dir)
            if is_dir:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                with open(path, "rb") as f:
                    data = f.read()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    # No file name and a fixed date in the gzip header.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=epoch, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: scripts/package.py FOLDER ARCHIVE EPOCH")
    folder, archive, epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if archive.endswith(".zip"):
        data = write_zip(folder, archive, epoch)
    elif archive.endswith(".tar.gz"):
        data = write_tar_gz(folder, archive, epoch)
    else:
        sys.exit(f"scripts/package.py: {archive}: the name must end in .zip or .tar.gz")
    with open(archive, "wb") as f:
        f.write(data)
    digest = hashlib.sha256(data).hexdigest()
    with open(archive + ".sha256", "w", newline="\n") as f:
        f.write(f"{digest}  {os.path.basename(archive)}\n")
    print(f"{archive}: {len(data)} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
