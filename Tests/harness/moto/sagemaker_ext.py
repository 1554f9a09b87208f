"""What the Sextant harness adds to moto's SageMaker training jobs.

moto (5.x) completes a training job the moment it is created, lets a second CreateTrainingJob of the
same name silently replace the first, drops `Environment`, and has no StopTrainingJob. Real SageMaker
runs a job for minutes to days, answers a second create of the same name with `ResourceInUse`, and
stops a job through Stopping → Stopped. The Sextant backend's behaviour (adoption, polling, stop,
reasons, cost) depends on exactly those differences, so this module adds them:

- `CreateTrainingJob` of an existing name → `ResourceInUse` (as SageMaker); `Environment` is kept and
  returned by DescribeTrainingJob; every create body is recorded (`GET /sextant-harness/sagemaker/requests`).
- `StopTrainingJob`: InProgress → `Stopping` (SecondaryStatus Stopping), and `Stopped` at the next
  DescribeTrainingJob; on a finished job → `ValidationException` (as SageMaker); unknown job →
  `ValidationException` "Requested resource not found".
- Call counts per operation and per job (`GET /sextant-harness/sagemaker/calls`).
- Test control of a job's life, by `name` or name `prefix` (JSON bodies):
  - `POST /sextant-harness/sagemaker/hold`: jobs created with that name/prefix stay
    `InProgress/Training` (no end time, no billable time) until told otherwise;
  - `POST .../complete {"modelArtifacts", "metrics": {name: value}, "billableSeconds", "trainingSeconds"}`;
  - `POST .../fail {"failureReason", "secondaryStatus"}` (→ Failed);
  - `POST .../interrupt {"end": null | "Failed" | "MaxWaitTimeExceeded"}` on a spot job: InProgress/Interrupted,
    or ended as Failed/Interrupted or Stopped/MaxWaitTimeExceeded;
  - `POST .../stop-limit {"secondaryStatus": "MaxRuntimeExceeded"}`: SageMaker stopped it at its limit;
  - `POST .../reset`: forget holds, counts and recorded requests.
"""

import datetime
import json
import threading

from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ResourceInUseException, ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.core.responses import ActionResult

import harness_routes

_lock = threading.Lock()
_holds = []  # {"name"} or {"prefix"}
_calls = {}  # operation -> count
_calls_by_job = {}  # job name -> {operation -> count}
_requests = {}  # job name -> [create bodies]


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _count(op, name):
    with _lock:
        _calls[op] = _calls.get(op, 0) + 1
        per = _calls_by_job.setdefault(name or "", {})
        per[op] = per.get(op, 0) + 1


def _held(name):
    with _lock:
        return any(h.get("name") == name or (h.get("prefix") and name.startswith(h["prefix"])) for h in _holds)


def _all_jobs():
    jobs = []
    for account in sm_models.sagemaker_backends.values():
        for region_backend in account.values():
            jobs.extend(region_backend.training_jobs.values())
    return jobs


def _find(body):
    name, prefix = body.get("name"), body.get("prefix")
    return [j for j in _all_jobs() if (name and j.training_job_name == name) or (prefix and j.training_job_name.startswith(prefix))]


def _backend(self):
    return self.sagemaker_backend


def _set(job, status, secondary, message=None):
    job.training_job_status = status
    job.secondary_status = secondary
    job.last_modified_time = _now()
    job.secondary_status_transitions.append({"Status": secondary, "StartTime": _now(), "StatusMessage": message or secondary})


_original_create = SageMakerResponse.create_training_job
_original_describe = SageMakerResponse.describe_training_job


def create_training_job(self):
    name = self._get_param("TrainingJobName")
    _count("CreateTrainingJob", name)
    with _lock:
        _requests.setdefault(name, []).append(json.loads(self.body) if self.body else {})
    if name in _backend(self).training_jobs:
        arn = _backend(self).training_jobs[name].arn
        raise ResourceInUseException(f"Training job names must be unique within an AWS account and region, and a training job with this name already exists ({arn})")
    result = _original_create(self)
    job = _backend(self).training_jobs[name]
    job.environment = self._get_param("Environment")
    if _held(name):
        job.training_job_status = "InProgress"
        job.secondary_status = "Training"
        job.training_end_time = None
        job.model_artifacts = None
        job.final_metric_data_list = None
        job.secondary_status_transitions.append({"Status": "Training", "StartTime": _now(), "StatusMessage": "Training image download completed. Training in progress."})
    return result


def describe_training_job(self):
    name = self._get_param("TrainingJobName")
    _count("DescribeTrainingJob", name)
    job = _backend(self).training_jobs.get(name)
    if job is not None and job.training_job_status == "Stopping":
        job.training_job_status = "Stopped"
        job.secondary_status = "Stopped"
        job.training_end_time = _now()
        job.last_modified_time = _now()
    return _original_describe(self)


def stop_training_job(self):
    name = self._get_param("TrainingJobName")
    _count("StopTrainingJob", name)
    job = _backend(self).training_jobs.get(name)
    if job is None:
        raise ValidationError(message="Requested resource not found.")
    if job.training_job_status != "InProgress":
        raise ValidationError(message=f"The request was rejected because the training job is in status {job.training_job_status}.")
    _set(job, "Stopping", "Stopping", "Stopping the training job")
    return ActionResult({})


SageMakerResponse.create_training_job = create_training_job
SageMakerResponse.describe_training_job = describe_training_job
SageMakerResponse.stop_training_job = stop_training_job


def _operation(environ):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("SageMaker."):
        return target
    return None


harness_routes.operation_resolver(_operation)


def _hold(body, _query):
    with _lock:
        _holds.append({k: body[k] for k in ("name", "prefix") if k in body})
    return 200, {"holds": len(_holds)}


def _need_jobs(body):
    jobs = _find(body)
    if not jobs:
        return None, (404, {"error": f"no training job matches {body}"})
    return jobs, None


def _complete(body, _query):
    jobs, err = _need_jobs(body)
    if err:
        return err
    for job in jobs:
        _set(job, "Completed", "Completed", "Training job completed")
        job.training_end_time = _now()
        job.model_artifacts = {"S3ModelArtifacts": body.get("modelArtifacts") or f"{job.output_data_config['S3OutputPath'].rstrip('/')}/{job.training_job_name}/output/model.tar.gz"}
        metrics = body.get("metrics") or {}
        job.final_metric_data_list = [{"MetricName": k, "Value": float(v), "Timestamp": _now()} for k, v in metrics.items()] or None
        if "billableSeconds" in body:
            job.billable_time_in_seconds = int(body["billableSeconds"])
        if "trainingSeconds" in body:
            job.training_time_in_seconds = int(body["trainingSeconds"])
    return 200, {"completed": [j.training_job_name for j in jobs]}


def _fail(body, _query):
    jobs, err = _need_jobs(body)
    if err:
        return err
    for job in jobs:
        _set(job, "Failed", body.get("secondaryStatus", "Failed"))
        job.failure_reason = body.get("failureReason", "AlgorithmError: the harness failed this job")
        job.training_end_time = _now()
        job.model_artifacts = None
    return 200, {"failed": [j.training_job_name for j in jobs]}


def _interrupt(body, _query):
    jobs, err = _need_jobs(body)
    if err:
        return err
    for job in jobs:
        if not job.enable_managed_spot_training:
            return 400, {"error": f"{job.training_job_name} is not a managed spot job"}
    end = body.get("end")
    for job in jobs:
        if end == "Failed":
            _set(job, "Failed", "Interrupted", "Training job interrupted")
            job.failure_reason = "Job was interrupted: insufficient spot capacity, and it could not resume."
            job.training_end_time = _now()
        elif end == "MaxWaitTimeExceeded":
            _set(job, "Stopped", "MaxWaitTimeExceeded", "Training job exceeded MaxWaitTimeInSeconds")
            job.training_end_time = _now()
        else:
            _set(job, "InProgress", "Interrupted", "Spot instances interrupted; waiting for capacity")
    return 200, {"interrupted": [j.training_job_name for j in jobs]}


def _stop_limit(body, _query):
    jobs, err = _need_jobs(body)
    if err:
        return err
    for job in jobs:
        _set(job, "Stopped", body.get("secondaryStatus", "MaxRuntimeExceeded"))
        job.training_end_time = _now()
    return 200, {"stopped": [j.training_job_name for j in jobs]}


def _calls_route(_body, query):
    with _lock:
        name = query.get("name")
        if name:
            return 200, dict(_calls_by_job.get(name, {}))
        return 200, {"total": dict(_calls), "byJob": {k: dict(v) for k, v in _calls_by_job.items()}}


def _requests_route(_body, query):
    with _lock:
        name = query.get("name")
        return 200, {"requests": list(_requests.get(name, [])) if name else {k: list(v) for k, v in _requests.items()}}


def _reset(_body, _query):
    with _lock:
        _holds.clear()
        _calls.clear()
        _calls_by_job.clear()
        _requests.clear()
    return 200, {}


harness_routes.route("POST", "/sextant-harness/sagemaker/hold", _hold)
harness_routes.route("POST", "/sextant-harness/sagemaker/complete", _complete)
harness_routes.route("POST", "/sextant-harness/sagemaker/fail", _fail)
harness_routes.route("POST", "/sextant-harness/sagemaker/interrupt", _interrupt)
harness_routes.route("POST", "/sextant-harness/sagemaker/stop-limit", _stop_limit)
harness_routes.route("GET", "/sextant-harness/sagemaker/calls", _calls_route)
harness_routes.route("GET", "/sextant-harness/sagemaker/requests", _requests_route)
harness_routes.route("POST", "/sextant-harness/sagemaker/reset", _reset)


def register(registry):
    """server.py's extension hook: the `/sextant-harness/` routes."""
    harness_routes.attach(registry)
