"""What the Sextant harness adds to moto's SageMaker Model Registry (registry mirrors of ModelVersions).

moto 5.2.6 serves CreateModelPackageGroup, DescribeModelPackageGroup, CreateModelPackage,
ListModelPackages, DescribeModelPackage and UpdateModelPackage, but has no DeleteModelPackage, and
numbers a group's versions as "how many packages the group has + 1", so after a delete the next
version would reuse (and overwrite) an existing ARN. Real SageMaker numbers versions monotonically.
This module adds:

- `DeleteModelPackage` (`ModelPackageName` = ARN or name): removes the package; an unknown one
  answers `ValidationException` "... does not exist" (the shape of SageMaker's answer).
- Monotonic version numbers after deletes: CreateModelPackage counts deleted versions of the group too.
"""

import threading

from moto.sagemaker import models as sm_models
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.responses import SageMakerResponse
from moto.core.responses import ActionResult

_lock = threading.Lock()
_deleted = {}  # (account, region, group) -> number of deleted versions


class _Deleted:
    """Stands for a deleted version while moto counts a group's packages."""

    def __init__(self, group):
        self.model_package_group_name = group


def _key(backend, group):
    return (backend.account_id, backend.region_name, group)


def delete_model_package(self):
    name = self._get_param("ModelPackageName")
    backend = self.sagemaker_backend
    arn = backend.model_package_name_mapping.get(name, name)
    package = backend.model_packages.get(arn)
    if package is None:
        raise ValidationError(message=f"Model package {name} does not exist.")
    del backend.model_packages[arn]
    for k in [k for k, v in backend.model_package_name_mapping.items() if v == arn]:
        del backend.model_package_name_mapping[k]
    if package.model_package_group_name:
        with _lock:
            key = _key(backend, package.model_package_group_name)
            _deleted[key] = _deleted.get(key, 0) + 1
    return ActionResult({})


_original_create = sm_models.SageMakerModelBackend.create_model_package


def create_model_package(self, **kwargs):
    group = kwargs.get("model_package_group_name")
    with _lock:
        count = _deleted.get(_key(self, group), 0) if group else 0
    pads = [f"__sextant_deleted_{group}_{i}" for i in range(count)]
    for pad in pads:
        self.model_packages[pad] = _Deleted(group)
    try:
        return _original_create(self, **kwargs)
    finally:
        for pad in pads:
            self.model_packages.pop(pad, None)


SageMakerResponse.delete_model_package = delete_model_package
sm_models.SageMakerModelBackend.create_model_package = create_model_package
