"""The Clanforge simulator: cfdash's executable model of the image-install service.

An ``aiohttp.web`` app over a pure job state machine, with switchable faults. It never imports
Textual. Typical use::

    sim = build_demo(clock=FakeClock())            # or Simulator(...) + add_account/add_job
    server = await start_server(sim)               # http://127.0.0.1:<free port>
    sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", count=2))
    ...
    await server.stop()
"""

from cfdash.sim.app import build_app, parse_basic_auth
from cfdash.sim.clock import Clock, FakeClock
from cfdash.sim.demo import (
    DEMO_IMAGE_VERSIONS,
    DEMO_SPEED,
    DemoAccount,
    build_demo,
    demo_accounts,
    demo_config_toml,
)
from cfdash.sim.fate import Fate
from cfdash.sim.faults import Fault, FaultKind, FaultPlan, FaultSet
from cfdash.sim.model import STATE_NAMES, JobState, SimAccount, SimJob, Simulator, envelope
from cfdash.sim.recorder import QueueCall, RequestRecorder
from cfdash.sim.server import RunningServer, SimThread, start_server

__all__ = [
    "DEMO_IMAGE_VERSIONS",
    "DEMO_SPEED",
    "STATE_NAMES",
    "Clock",
    "DemoAccount",
    "FakeClock",
    "Fate",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FaultSet",
    "JobState",
    "QueueCall",
    "RequestRecorder",
    "RunningServer",
    "SimAccount",
    "SimJob",
    "SimThread",
    "Simulator",
    "build_app",
    "build_demo",
    "demo_accounts",
    "demo_config_toml",
    "envelope",
    "parse_basic_auth",
    "start_server",
]
