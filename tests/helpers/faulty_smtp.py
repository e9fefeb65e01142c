"""A real SMTP server on 127.0.0.1 (aiosmtpd) that misbehaves on cue: 421 greetings, 451 on
RCPT or after DATA, 550 for some recipients, a connection dropped in the middle of DATA or
after the whole message arrived but before the reply, a reply too slow to wait for.  With
``pipelining`` it advertises PIPELINING (aiosmtpd reads pipelined commands as they come)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.helpers.smtp import Sink, smtp_server


@dataclass
class Faults(Sink):
    """Each counter says how many more times a fault happens (per recipient, or overall)."""

    greet_421: int = 0
    rcpt_451: Counter = field(default_factory=Counter)
    data_451: Counter = field(default_factory=Counter)
    refuse_550: set[str] = field(default_factory=set)
    refusal: str = "5.1.1 no such mailbox"  # what a refused recipient hears after 550
    drop_mid_data: Counter = field(default_factory=Counter)
    drop_after_data: Counter = field(default_factory=Counter)
    data_554: set[str] = field(default_factory=set)  # refuse the message for good, after its data
    data_command: dict[str, str] = field(default_factory=dict)  # a reply to the DATA command, once
    slow_data: Counter = field(default_factory=Counter)  # answer DATA only after `stall` seconds
    stall: float = 2.0
    delay: float = 0.0  # seconds before each DATA reply (to catch a sender mid-run)
    pipelining: bool = False  # advertise PIPELINING in the EHLO reply
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, counter: Counter, key: str) -> bool:
        with self.lock:
            if counter[key] > 0:
                counter[key] -= 1
                return True
            return False

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_550:
            self.log.append(f"550 {address}")
            return f"550 {self.refusal}"
        if self.take(self.rcpt_451, address):
            self.log.append(f"451 rcpt {address}")
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0]
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.take(self.slow_data, rcpt):
            self.log.append(f"stall {rcpt}")
            await asyncio.sleep(self.stall)
        if rcpt in self.data_554:
            self.log.append(f"554 data {rcpt}")
            return "554 5.7.1 message refused"
        if self.take(self.data_451, rcpt):
            self.log.append(f"451 data {rcpt}")
            return "451 4.3.0 queue full, try again later"
        if self.take(self.drop_after_data, rcpt):
            self.log.append(f"drop after data {rcpt}")
            server.transport.close()
            return "421 closing"  # never reaches the client: the connection is gone
        return await super().handle_DATA(server, session, envelope)


class FaultySMTP(SMTP):
    async def _handle_client(self) -> None:
        faults: Faults = self.event_handler
        with faults.lock:
            refuse = faults.greet_421 > 0
            faults.greet_421 -= refuse
        if refuse:
            faults.log.append("421 greeting")
            await self.push("421 4.3.2 too many connections, try again later")
            self.transport.close()
            return
        await super()._handle_client()

    async def smtp_DATA(self, arg: str) -> None:
        faults: Faults = self.event_handler
        rcpt = self.envelope.rcpt_tos[0] if self.envelope and self.envelope.rcpt_tos else None
        with faults.lock:
            reply = faults.data_command.pop(rcpt, None) if rcpt else None
        if reply:
            faults.log.append(f"{reply[:3]} data command {rcpt}")
            await self.push(reply)
            return
        if rcpt and faults.take(faults.drop_mid_data, rcpt):
            faults.log.append(f"drop mid data {rcpt}")
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.readuntil(b"\r\n")  # the first line of the message, then hang up
            self.transport.close()
            await asyncio.sleep(5)  # cancelled when the loop notices the closed connection
            return
        await super().smtp_DATA(arg)


class FaultyController(Controller):
    def factory(self):
        return FaultySMTP(self.handler, **self.SMTP_kwargs)


def faulty_smtp_server(faults: Faults):
    return smtp_server(faults, FaultyController)
