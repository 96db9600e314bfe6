#!/usr/bin/env python3
"""Smoke test of the release bindings library, as the Flutter app would load it.

Loads the cdylib with ctypes, checks that its content hash equals `rustContentHash` in the
generated Dart (the Dart side and the library come from the same API), then calls two sync
functions through flutter_rust_bridge's own entry point (`frb_pde_ffi_dispatcher_sync`) with
the SSE codec, as the generated Dart does: `core_version` and `check_nip`, one success and one
error. Usage: scripts/smoke_bindings.py path/to/libabdi_bindings.so
"""
import ctypes
import json
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DART = (ROOT / "app/lib/src/rust/frb_generated.dart").read_text()


class WireSyncRust2DartSse(ctypes.Structure):
    _fields_ = [("ptr", ctypes.POINTER(ctypes.c_uint8)), ("len", ctypes.c_int32)]


def fail(msg):
    print(f"smoke_bindings: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def func_id(dart_method):
    m = re.search(
        r"@override [^\n]*\b" + re.escape(dart_method) + r"\(.*?funcId: (\d+)\)", DART, re.S
    )
    if not m:
        fail(f"{dart_method} not found in the generated Dart")
    return int(m.group(1))


def sse_string(s):
    b = s.encode()
    return struct.pack("=i", len(b)) + b


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def u8(self):
        self.at += 1
        return self.data[self.at - 1]

    def string(self):
        (n,) = struct.unpack_from("=i", self.data, self.at)
        self.at += 4
        self.at += n
        return self.data[self.at - n : self.at].decode()


def call_sync(lib, fid, payload=b""):
    # The argument buffer belongs to Rust (it frees it): allocate it there, as Dart does.
    ptr = lib.frb_rust_vec_u8_new(len(payload))
    ctypes.memmove(ptr, payload, len(payload))
    out = lib.frb_pde_ffi_dispatcher_sync(fid, ptr, len(payload), len(payload))
    data = bytes(out.ptr[: out.len])
    lib.frb_free_wire_sync_rust2dart_sse(out)
    return Reader(data)


def main():
    if len(sys.argv) != 2:
        fail("usage: smoke_bindings.py path/to/libabdi_bindings.so")
    lib = ctypes.CDLL(sys.argv[1])
    lib.frb_get_rust_content_hash.restype = ctypes.c_int32
    lib.frb_rust_vec_u8_new.restype = ctypes.c_void_p
    lib.frb_rust_vec_u8_new.argtypes = [ctypes.c_int32]
    lib.frb_pde_ffi_dispatcher_sync.restype = WireSyncRust2DartSse
    lib.frb_pde_ffi_dispatcher_sync.argtypes = [
        ctypes.c_int32, ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32]
    lib.frb_free_wire_sync_rust2dart_sse.argtypes = [WireSyncRust2DartSse]

    m = re.search(r"rustContentHash => (-?\d+);", DART)
    if not m:
        fail("rustContentHash not found in the generated Dart")
    dart_hash, rust_hash = int(m.group(1)), lib.frb_get_rust_content_hash()
    if dart_hash != rust_hash:
        fail(f"content hash: Dart {dart_hash}, library {rust_hash}: regenerate (scripts/codegen)")

    r = call_sync(lib, func_id("crateApiOfflineCoreVersion"))
    action, version = r.u8(), r.string()
    if action != 0 or not version.startswith("abdi-core "):
        fail(f"core_version answered action {action}: {version!r}")

    r = call_sync(lib, func_id("crateApiOfflineCheckNip"), sse_string("19850312 201001 1 004"))
    action = r.u8()
    nip, formatted, birth = r.string(), r.string(), r.string()
    if action != 0 or (nip, formatted, birth) != (
            "198503122010011004", "19850312 201001 1 004", "1985-03-12"):
        fail(f"check_nip answered action {action}: {nip!r} {formatted!r} {birth!r}")

    r = call_sync(lib, func_id("crateApiOfflineCheckNip"), sse_string("12345"))
    action, code, message_id = r.u8(), r.string(), r.string()
    if action != 1 or code != "invalid_nip" or not message_id.startswith("NIP tidak valid"):
        fail(f"check_nip('12345') answered action {action}: {code!r} {message_id!r}")

    # The condition evaluator, offline: 9 of the 10 years of service a medal needs.
    record = {
        "identity": {
            "id": "00000000-0000-0000-0000-000000000001", "nip": "198503122010011004",
            "nik": "", "nik_masked": True, "front_title": None, "name": "Budi", "back_title": None,
            "full_name": "Budi", "gender": "male", "birth_place": "Surabaya",
            "birth_date": "1985-03-12", "employment_type": "pns", "rank_code": "III/a",
            "rank_tmt": "2021-04-01", "tmt_cpns": "2017-03-01", "tmt_pns": "2018-03-01",
            "education_level": "s1", "unit_code": "BKD", "unit_name": "BKD",
            "position_title": None, "email": None, "phone": None, "active": True},
        "ranks": [], "positions": [], "education": [], "training": [], "performance": [],
        "awards": [], "family": [], "discipline": [], "competencies": [], "organisations": [],
        "salary": []}
    eligibility = {"version": 1, "conditions": [{
        "code": "service_years",
        "text": {"id": "Masa kerja {seen} dari {need} tahun.", "en": "{seen} of {need} years of service."},
        "test": {"op": "compare", "cmp": "ge", "right": {"of": "const", "value": 10},
                 "left": {"of": "years", "from": {"day": "service_start"}, "to": {"day": "today"}}}}]}
    payload = b"".join(sse_string(x) for x in [
        json.dumps(eligibility), json.dumps(record), "[]", "{}", "[]", "2026-07-01"])
    r = call_sync(lib, func_id("crateApiOfflineEvaluateEligibility"), payload)
    action, answer = r.u8(), r.string()
    if action != 0:
        fail(f"evaluate_eligibility answered action {action}: {answer!r}")
    evaluation = json.loads(answer)
    failures = evaluation["failures"]
    if evaluation["eligible"] or [f["message"]["en"] for f in failures] != ["9 of 10 years of service."]:
        fail(f"evaluate_eligibility answered {answer}")

    print(f"smoke_bindings: ok: content hash {rust_hash}, {version}, check_nip ok and invalid_nip, "
          f"evaluate_eligibility: {failures[0]['message']['en']}")


if __name__ == "__main__":
    main()
