#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd) that keeps
every message it receives.

    smtp_sink.py OUT_DIR [USER PASSWORD]

Listens on a free port of 127.0.0.1 and prints "ready PORT" once it accepts
connections. Each message is written as OUT_DIR/N.eml (the bytes received)
and OUT_DIR/N.json ({"mail_from", "rcpt_tos", "auth_user"}); N.json is
written last, so a reader that sees it finds the whole message. With USER
and PASSWORD, AUTH (PLAIN or LOGIN, without TLS) is required and checked.
Runs until its standard input closes or it gets SIGTERM.
"""
import json
import logging
import os
import signal
import socket
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Keeper:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.out_dir, str(self.n))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_user": session.auth_data,
        }
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK"


def authenticator_for(user, password):
    def check(server, session, envelope, mechanism, data):
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == user
            and data.password.decode() == password
        )
        if ok:
            return AuthResult(success=True, auth_data=user)
        # not handled: aiosmtpd answers 535 itself
        return AuthResult(success=False, handled=False)

    return check


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # AUTH without TLS is what a loopback test wants: no warnings about it
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    out_dir = sys.argv[1]
    kwargs = {}
    if len(sys.argv) >= 4:
        kwargs = {
            "authenticator": authenticator_for(sys.argv[2], sys.argv[3]),
            "auth_required": True,
            "auth_require_tls": False,
        }
    port = free_port()
    ctl = Controller(Keeper(out_dir), hostname="127.0.0.1", port=port, **kwargs)
    ctl.start()
    print("ready", port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    ctl.stop()


if __name__ == "__main__":
    main()
