#!/usr/bin/env python3
# Writes the hand-made inputs of tests/fuzz/corpus/ (seed-*, and regress-*
# made by hand for a defect); the other files there are fuzzer finds.  Layouts: the comment at
# the top of each harness.   usage: tests/fuzz/mkseeds.py [CORPUS_DIR]
# SPDX-License-Identifier: LGPL-2.1-or-later OR BSD-2-Clause
# Copyright (C) 2026 The Seawall authors
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def put(target, name, data, kind="seed"):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, kind + "-" + name), "wb") as f:
        f.write(data)


# sea_decode: u8 mode | u64 flags esr gva gpa pstate | u8 render length
def sea(name, esr, gva=0x7f001234, gpa=0x40123000, flags=1, pstate=0, mode=1, cap=200):
    put("sea_decode", name, struct.pack("<B5QB", mode, flags, esr, gva, gpa, pstate, cap))


sea("dabt-el0", 0x92000010)
sea("dabt-el1", 0x96000010, pstate=0x3c5)
sea("dabt-wnr", 0x92000050)
sea("iabt-el0", 0x82000010)
sea("iabt-el1", 0x86000010, pstate=0x3c5)
sea("ttw-level3", 0x92000017, gpa=0, flags=0)
sea("ttw-level-1", 0x92000013)
sea("ecc", 0x92000018)
sea("ecc-ttw", 0x9200001f)
sea("fnv", 0x92000410, gva=0)
sea("set-uc", 0x92001010)
sea("set-ueo", 0x92001810, mode=0)
sea("set-reserved", 0x92000810)
sea("ec-svc", 0x56000000)
sea("gpa-unaligned", 0x92000010, gpa=0x40123008)
sea("gpa-outside", 0x92000010, gpa=0x1000)
sea("flags-unknown", 0x92000010, flags=3)
sea("aarch32-usr", 0x92000010, pstate=0x10)
sea("render-short", 0x92000010, cap=17)
sea("mmio-exit", 0x92000010, mode=2)

# sigbus: u8 capacity | ops (0 record, 1 drain, 2 record in a handler, 3 reset)
AR, AO, BAD = 0, 1, 2


def rec(code, page, off=0x10, where=0, op=0):
    return struct.pack("<BBIHB", op, code, page, off, where)


put("sigbus", "ar-drain", bytes([4]) + rec(AR, 3) + b"\x01")
put("sigbus", "ao-drain", bytes([4]) + rec(AO, 5) + b"\x01")
put("sigbus", "same-page", bytes([4]) + rec(AR, 7) + rec(AO, 7, 0x800) + b"\x01" + rec(AR, 7) + b"\x01")
put("sigbus", "overflow", bytes([1]) + rec(AR, 1) + rec(AR, 2) + rec(AO, 3) + rec(AO, 4) + b"\x01")
put("sigbus", "outside", bytes([4]) + rec(AR, 0, where=210) + rec(AO, 9, where=240) + b"\x01")
put("sigbus", "handler", bytes([4]) + rec(AR, 11, op=2) + rec(AO, 12, op=2) + b"\x01")
put("sigbus", "bad-code", bytes([4]) + rec(BAD, 1) + rec(3, 1) + b"\x01")
put("sigbus", "reset", bytes([4]) + rec(AR, 2) + b"\x01\x03" + rec(AR, 2) + b"\x01")

# journal: u8 mode | file
HDR = b"SWJRNL01" + struct.pack("<I", 1)
HDR += struct.pack("<I", crc32c(HDR))


def page(seq, gpa, shift=12, hits=1, source=1, el=0, flags=1, esr=0x92000010):
    payload = struct.pack("<QQQQIIHBBB3x", gpa, 0x7f0000001000, 1700000000 * 10**9,
                          1700000001 * 10**9, esr, hits, 0x4d, source,
                          ((el & 3) << 6) | shift, flags)
    body = struct.pack("<IHHQ", 0x524A5753, 16 + len(payload) + 4, 1, seq) + payload
    return body + struct.pack("<I", crc32c(body))


three = HDR + page(1, 0x40001000) + page(2, 0x40002000, el=-1) + page(3, 0x40001000, hits=2)
put("journal", "three", b"\x00" + three)
put("journal", "torn", b"\x00" + three + page(4, 0x40005000)[:30])
put("journal", "corrupt-middle", b"\x00" + HDR + page(1, 0x40001000) + b"\xff" * 9 +
    page(2, 0x40003000))
put("journal", "bad-crc", b"\x00" + HDR + page(1, 0x40001000)[:-1] + b"\x00")
put("journal", "fix-crc", b"\x01" + HDR + page(1, 0x40007000)[:-4] + b"\0\0\0\0")
put("journal", "huge", b"\x00" + HDR + page(1, 0x80200000, shift=21))
put("journal", "replaced", b"\x00" + HDR + page(1, 0x40001000, flags=2))
put("journal", "other-type", b"\x00" + HDR + struct.pack("<IHHQ", 0x524A5753, 20, 2, 9) +
    struct.pack("<I", crc32c(struct.pack("<IHHQ", 0x524A5753, 20, 2, 9))))
put("journal", "header-only", b"\x00" + HDR)
put("journal", "empty", b"\x00")
put("journal", "header-cut", b"\x00" + HDR[:7])
put("journal", "foreign", b"\x00" + b"not a journal, do not touch\n")
# Defect 1 (tests/fuzz/README.md): a short foreign file was overwritten.
put("journal", "short-foreign", b"\x00" + b"hello\n", kind="regress")
# Defect 2: a page record that names no page (here a 2 MiB page at a 4 KiB
# boundary) was loaded, and re-isolation cut a misaligned hole.
put("journal", "huge-unaligned", b"\x00" + HDR + page(1, 0x80001000, shift=21), kind="regress")
put("journal", "version-2", b"\x00" + b"SWJRNL01" + struct.pack("<I", 2) +
    struct.pack("<I", crc32c(b"SWJRNL01" + struct.pack("<I", 2))))
put("journal", "with-header", b"\x03" + page(1, 0x40009000))

# proto: u8 escape buffer | request
for i, line in enumerate([b"hello\n", b"status\n", b"ledger\r\n", b"events\n",
                          b"events follow\n", b"metrics", b"inject-test 0x40001000\n",
                          b"inject-test 0X4000A000 fnv\n", b"inject-test 0xffffffffffffffff s2table\n",
                          b" \tstatus \t\n"]):
    put("proto", "good-%d" % i, bytes([64]) + line)
for name, line in [("empty", b""), ("unknown", b"reboot\n"), ("upper", b"HELLO\n"),
                   ("two-lines", b"hello\nstatus\n"), ("ctrl", b"hel\x01lo\n"),
                   ("utf8", b"status \xc3\xa9\n"), ("nul", b"status\x00\n"),
                   ("too-long", b"status " + b"x" * 600 + b"\n"), ("max", b"hello" + b" " * 506 + b"\n"),
                   ("args", b"inject-test 0x1 fnv extra\n"), ("hex17", b"inject-test 0x10000000000000000\n"),
                   ("mode", b"inject-test 0x1000 fnvx\n"), ("quote", b"\"\\\x7f\n")]:
    put("proto", name, bytes([16]) + line)

# notify: ops (0 read off width, 1 write off width value, 2 bad page, 3 reset, 4 ack by address)
def rd(off, w=4):
    return struct.pack("<BHB", 0, off, w)


def wr(off, w, v):
    return struct.pack("<BHBQ", 1, off, w, v)


def bad(pg):
    return struct.pack("<BH", 2, pg)


regs = b"".join(rd(o) for o in range(0, 0x28, 4))
put("notify", "identity", rd(0) + rd(4) + rd(0, 8) + rd(1, 2) + rd(0xffe, 4) + rd(0x8001, 4))
put("notify", "one-page", bad(1) + regs + wr(0x20, 4, 1) + regs)
put("notify", "agent-loop", bad(1) + bad(2) + bad(3) + regs + wr(0x20, 4, 1) + regs +
    wr(0x20, 8, 0x5e00000000) + regs + wr(0x20, 4, 3) + regs)
put("notify", "ack-wrong", bad(4) + wr(0x20, 4, 0) + rd(0x24) + wr(0x20, 4, 99) + rd(0x24) +
    wr(0x20, 2, 1) + rd(0x8) + wr(0x1c, 4, 1) + rd(0x8))
put("notify", "overflow", b"".join(bad(i) for i in range(10)) + regs)
put("notify", "reset", bad(1) + bad(2) + b"\x03" + regs + bad(1) + regs)
put("notify", "ack-gpa", bad(5) + bad(6) + struct.pack("<BH", 4, 6) + regs)

# cli_json: u8 join buffer | one reply line as swvm sends it
for i, line in enumerate([
        b'{"protocol":"seawall-control","version":1,"vmm":"swvm","pid":123,"vm_fd":5}',
        b'{"state":"running","uptime_s":12.345,"cpus":2,"mem_mib":256,"sea_exit_enabled":true,'
        b'"nisv_exit_enabled":false,"restarts":0,"poisoned_pages":1,"debugfs":"/sys/kernel/debug/kvm/123-5"}',
        b'{"gpa":"0x40123000","size":4096,"gva":"0xffff000012345000","esr":"0x96000010","hits":1,'
        b'"source":"sea","guest_el":0,"first_ns":1764150000000000000,"last_ns":1764150000000000000,'
        b'"actions":["inject_dabt","isolate","notify","new_page"],"flags":["isolated","notified"]}',
        b'{"end":true,"count":1}',
        b'{"error":"bad \\"x\\"\\\\\\n\\u0001","code":400}',
        b' {"a":[],"b":{"c":[1,2,{"d":null}]},"e":-0,"f":-9223372036854775808,"g":1.5e-3} ',
        b'{"s":"\\ud83d\\ude00 \\u00e9 \\/"}',
        b'{"flags":["a","bb","ccc"]}']):
    put("cli_json", "reply-%d" % i, bytes([i * 7]) + line)


def control_seeds():
    """control: u8 deadline (8 ms units) | u8 flags (bit 0: end of file after
    the last chunk) | chunks: u8 gap (bit 7: a signal first; 4 ms units) |
    u8 length | bytes."""
    def client(name, deadline, eof, parts):
        b = bytes([deadline, 1 if eof else 0])
        for gap, data in parts:
            b += bytes([gap, len(data)]) + data
        put("control", name, b)

    client("status", 250, False, [(0, b"status\n")])
    client("trickle", 250, False, [(100, bytes([c])) for c in b"status\n"])
    client("bytewise-in-time", 250, False, [(5, bytes([c])) for c in b"ledger\n"])
    client("two-lines", 250, False, [(0, b"status\nledger\n")])
    client("later-line", 250, False, [(0, b"status\n"), (1, b"ledger\n")])
    client("same-time-line", 250, False, [(2, b"status\n"), (0, b"ledger\n")])
    client("big", 250, False, [(0, b"a" * 255), (0, b"a" * 255), (0, b"a" * 90)])
    client("512", 250, False, [(0, b"hello" + b" " * 250), (0, b" " * 250), (0, b" " * 6 + b"\n")])
    client("eof", 250, True, [(0, b"hello")])
    client("empty-eof", 250, True, [])
    client("silent", 10, False, [])
    client("eintr-at-deadline", 50, False, [(0, b"sta"), (0x80 | 100, b"tus\n")])
    client("at-deadline", 50, False, [(0, b"sta"), (100, b"tus\n")])
    client("crlf", 250, False, [(0, b"status\r\n")])
    client("inject", 250, False, [(0, b"inject-test 0x"), (3, b"40001000 "), (3, b"fnv\n")])
    client("follow", 250, True, [(0, b"events follow\n")])


control_seeds()
