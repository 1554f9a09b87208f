"""What the Sextant harness adds to moto's AWS Batch.

moto's Batch runs jobs in Docker unless `batch.use_docker` is false; then (moto.batch_simple) a
submitted job is SUCCEEDED at once. This module
- switches moto to that Docker-free mode (`default_user_config["batch"]["use_docker"] = False`, the
  server-side equivalent of `@mock_aws(config={"batch": {"use_docker": False}})`);
- lets a test hold jobs RUNNING (`POST /sextant-harness/batch/hold {"name"|"prefix"}`) and end them
  (`POST /sextant-harness/batch/finish {"name"|"prefix", "status": "SUCCEEDED"|"FAILED", "statusReason"}`);
- makes TerminateJob of a held (running) job end it FAILED with the given reason, as Batch does
  (moto only flags it for its Docker thread, which this mode does not have);
- records every SubmitJob body, since moto drops `nodeOverrides` (`GET /sextant-harness/batch/requests?name=`);
- counts calls per operation (`GET /sextant-harness/batch/calls`);
- `POST /sextant-harness/batch/reset` forgets holds, counts and requests.
"""

import datetime
import json
import threading

from moto.batch import models as batch_models
from moto.batch.responses import BatchResponse
from moto.batch_simple.models import BatchSimpleBackend
from moto.core.config import default_user_config

import harness_routes

default_user_config.setdefault("batch", {})["use_docker"] = False

_lock = threading.Lock()
_holds = []
_calls = {}
_requests = {}
_paths = {
    "/v1/submitjob": "SubmitJob", "/v1/describejobs": "DescribeJobs", "/v1/listjobs": "ListJobs",
    "/v1/terminatejob": "TerminateJob", "/v1/canceljob": "CancelJob",
}


def _count(op):
    with _lock:
        _calls[op] = _calls.get(op, 0) + 1


def _held(name):
    with _lock:
        return any(h.get("name") == name or (h.get("prefix") and name.startswith(h["prefix"])) for h in _holds)


_original_finish = BatchSimpleBackend._mark_job_as_finished


def _mark_job_as_finished(self, include_start_attempt, job):
    if not _held(job.job_name):
        return _original_finish(self, include_start_attempt, job)
    self.backend._jobs[job.job_id] = job
    job.job_started_at = datetime.datetime.now()
    job.log_stream_name = job._stream_name
    if include_start_attempt:
        job._start_attempt()
    job.status = "RUNNING"


BatchSimpleBackend._mark_job_as_finished = _mark_job_as_finished

_original_terminate = batch_models.Job.terminate


def _terminate(self, reason):
    _original_terminate(self, reason)
    if not self.job_stopped and self.status in ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING"):
        self.job_stopped_reason = reason
        self._mark_stopped(success=False)


batch_models.Job.terminate = _terminate

# moto names the handler `submit_job` (5.2.6) or `submitjob` (older releases).
_submit_attr = "submit_job" if hasattr(BatchResponse, "submit_job") else "submitjob"
_original_submit = getattr(BatchResponse, _submit_attr)


def _submit(self):
    name = self._get_param("jobName")
    with _lock:
        _requests.setdefault(name, []).append(json.loads(self.body) if self.body else {})
    return _original_submit(self)


setattr(BatchResponse, _submit_attr, _submit)


def _operation(environ):
    op = _paths.get(environ.get("PATH_INFO", "").rstrip("/"))
    if op:
        _count(op)
        return f"Batch.{op}"
    return None


harness_routes.operation_resolver(_operation)


def _jobs(body):
    name, prefix = body.get("name"), body.get("prefix")
    out = []
    for account in batch_models.batch_backends.values():
        for backend in account.values():
            for job in backend._jobs.values():
                if (name and job.job_name == name) or (prefix and job.job_name.startswith(prefix)):
                    out.append(job)
    return out


def _hold(body, _query):
    with _lock:
        _holds.append({k: body[k] for k in ("name", "prefix") if k in body})
    return 200, {"holds": len(_holds)}


def _finish(body, _query):
    jobs = _jobs(body)
    if not jobs:
        return 404, {"error": f"no Batch job matches {body}"}
    for job in jobs:
        if body.get("statusReason"):
            job.job_stopped_reason = body["statusReason"]
        job._mark_stopped(success=body.get("status", "SUCCEEDED") == "SUCCEEDED")
    return 200, {"finished": [j.job_name for j in jobs]}


def _calls_route(_body, _query):
    with _lock:
        return 200, {"total": dict(_calls)}


def _requests_route(_body, query):
    with _lock:
        name = query.get("name")
        return 200, {"requests": list(_requests.get(name, [])) if name else {k: list(v) for k, v in _requests.items()}}


def _reset(_body, _query):
    with _lock:
        _holds.clear()
        _calls.clear()
        _requests.clear()
    return 200, {}


harness_routes.route("POST", "/sextant-harness/batch/hold", _hold)
harness_routes.route("POST", "/sextant-harness/batch/finish", _finish)
harness_routes.route("GET", "/sextant-harness/batch/calls", _calls_route)
harness_routes.route("GET", "/sextant-harness/batch/requests", _requests_route)
harness_routes.route("POST", "/sextant-harness/batch/reset", _reset)


def register(registry):
    """server.py's extension hook: the `/sextant-harness/` routes."""
    harness_routes.attach(registry)
