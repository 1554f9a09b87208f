#!/usr/bin/env python3
"""Creates what an AWS Batch test job needs in a running moto: an unmanaged compute environment,
a job queue and two job definitions (`container` and a `multinode` one with an open node range).

    batch_setup.py ENDPOINT_URL REGION QUEUE CONTAINER_DEFINITION MULTINODE_DEFINITION

Prints the queue ARN. Uses boto3 from the moto venv (hack/tools.d/moto.sh)."""
import sys

import boto3


def main():
    url, region, queue, container_def, multinode_def = sys.argv[1:6]
    kw = dict(region_name=region, endpoint_url=url, aws_access_key_id="AKIAMOTOTESTKEY00000", aws_secret_access_key="moto-test-secret")
    iam = boto3.client("iam", **kw)
    batch = boto3.client("batch", **kw)
    try:
        role = iam.create_role(RoleName="batch-service", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="batch-service")["Role"]["Arn"]
    ce = batch.create_compute_environment(computeEnvironmentName=f"{queue}-ce", type="UNMANAGED", state="ENABLED", serviceRole=role)
    q = batch.create_job_queue(jobQueueName=queue, state="ENABLED", priority=1,
                               computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce["computeEnvironmentArn"]}])
    batch.register_job_definition(jobDefinitionName=container_def, type="container",
                                  containerProperties={"image": "busybox", "vcpus": 1, "memory": 512, "command": ["true"]})
    batch.register_job_definition(jobDefinitionName=multinode_def, type="multinode",
                                  nodeProperties={"numNodes": 2, "mainNode": 0, "nodeRangeProperties": [
                                      {"targetNodes": "0:", "container": {"image": "busybox", "vcpus": 1, "memory": 512, "command": ["true"]}}]})
    print(q["jobQueueArn"])


if __name__ == "__main__":
    main()
