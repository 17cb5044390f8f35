"""A real SMTP server for the test suite (aiosmtpd) that delivers every
accepted letter into Dovecot over LMTP, so a letter sent here lands in the
recipient's IMAP mailbox. STARTTLS is offered with the test certificate.

AUTH PLAIN/LOGIN is accepted for any user with the test password (like the
Dovecot side), so clients configured with credentials work unchanged.

Usage: mail-smtp.py HOST PORT LMTP_HOST LMTP_PORT CERT KEY PASSWORD
"""
import asyncio
import smtplib
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class LmtpDelivery:
    def __init__(self, lmtp_host, lmtp_port):
        self.lmtp_host = lmtp_host
        self.lmtp_port = lmtp_port

    async def handle_DATA(self, server, session, envelope):
        def deliver():
            with smtplib.LMTP(self.lmtp_host, self.lmtp_port, timeout=30) as lmtp:
                return lmtp.sendmail(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)

        try:
            refused = await asyncio.get_running_loop().run_in_executor(None, deliver)
        except smtplib.SMTPRecipientsRefused as e:
            return "550 recipients refused: %s" % ", ".join(e.recipients)
        except Exception as e:  # noqa: BLE001 - report every failure to the client
            return "451 delivery failed: %s" % e
        if refused:
            return "250 OK (some recipients refused: %s)" % ", ".join(refused)
        return "250 OK"


def authenticator_for(password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticate


def main():
    host, port, lmtp_host, lmtp_port, cert, key, password = sys.argv[1:8]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(
        LmtpDelivery(lmtp_host, int(lmtp_port)),
        hostname=host,
        port=int(port),
        tls_context=context,
        require_starttls=False,
        auth_require_tls=False,
        authenticator=authenticator_for(password),
        enable_SMTPUTF8=True,
        data_size_limit=64 * 1024 * 1024,
        server_hostname="switchboard.test",
    )
    controller.start()
    print("mail-smtp: listening on %s:%s, delivering to LMTP %s:%s" % (host, port, lmtp_host, lmtp_port), flush=True)
    try:
        asyncio.new_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
