"""The Clanforge simulator: cfdash's executable model of the image-install service.

An ``aiohttp.web`` app over a pure job state machine, with switchable faults. It never imports
Textual. Typical use::

    sim = build_demo(clock=FakeClock())            # or Simulator(...) + add_account/add_job
    server = await start_server(sim)               # http://127.0.0.1:<free port>
    sim.faults.add(Fault(FaultKind.HTTP_503, endpoint="status", count=2))
    sim.pipeline.add_update(12345, imageid=1001)    # update, diff and version jobs, images
    ...
    await server.stop()
"""

from cfdash.sim.app import build_app, parse_basic_auth, parse_bearer_token
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
from cfdash.sim.images import DEFAULT_LAYOUT, SimImage
from cfdash.sim.model import STATE_NAMES, JobState, SimAccount, SimJob, Simulator, envelope
from cfdash.sim.pipeline import SimPipelineJob
from cfdash.sim.pipeline_model import PipelineModel
from cfdash.sim.recorder import ENDPOINTS, QueueCall, RequestRecorder, RetryCall
from cfdash.sim.server import RunningServer, SimThread, start_server

__all__ = [
    "DEFAULT_LAYOUT",
    "DEMO_IMAGE_VERSIONS",
    "DEMO_SPEED",
    "ENDPOINTS",
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
    "PipelineModel",
    "QueueCall",
    "RequestRecorder",
    "RetryCall",
    "RunningServer",
    "SimAccount",
    "SimImage",
    "SimJob",
    "SimPipelineJob",
    "SimThread",
    "Simulator",
    "build_app",
    "build_demo",
    "demo_accounts",
    "demo_config_toml",
    "envelope",
    "parse_basic_auth",
    "parse_bearer_token",
    "start_server",
]
