# The controller's IAM role and its least-privilege policy.
#
# The actions of the "controller" policy document are exactly the AWS operations the Swift code can
# call (AWSOperation.all in Sources/CloudAWS, printed by `sextant cloud-permissions aws`);
# Tests/PlatformTests/TerraformTests.swift fails when the two differ in either direction.

data "aws_iam_policy_document" "controller_trust" {
  dynamic "statement" {
    for_each = var.identity_mode == "irsa" ? [local.oidc_issuer_host] : []
    content {
      sid     = "IRSA"
      effect  = "Allow"
      actions = ["sts:AssumeRoleWithWebIdentity"]
      principals {
        type        = "Federated"
        identifiers = [var.oidc_provider_arn]
      }
      condition {
        test     = "StringEquals"
        variable = "${statement.value}:sub"
        values   = [local.service_account_subject]
      }
      condition {
        test     = "StringEquals"
        variable = "${statement.value}:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.identity_mode == "pod_identity" ? [1] : []
    content {
      sid     = "EKSPodIdentity"
      effect  = "Allow"
      actions = ["sts:AssumeRole", "sts:TagSession"]
      principals {
        type        = "Service"
        identifiers = ["pods.eks.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_iam_role" "controller" {
  name                 = "${var.name_prefix}-controller"
  description          = "Sextant controller (${local.service_account_subject})"
  assume_role_policy   = data.aws_iam_policy_document.controller_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_eks_pod_identity_association" "controller" {
  count           = var.identity_mode == "pod_identity" ? 1 : 0
  cluster_name    = var.cluster_name
  namespace       = var.kubernetes_namespace
  service_account = var.service_account_name
  role_arn        = aws_iam_role.controller.arn
  tags            = var.tags
}

data "aws_iam_policy_document" "controller" {
  #checkov:skip=CKV_AWS_356:Resource "*" only where IAM has no resource-level permission: sagemaker:ListModelPackages, sagemaker:ListTrainingJobs, batch:DescribeJobs, batch:ListJobs, cloudwatch:GetMetricData (checkov's action table marks the SageMaker List calls restrictable; the SageMaker authorization reference lists no resource type for it).
  # SageMaker training jobs: names are derived from the pipelines, so they are scoped to this
  # account and region. AddTags: CreateTrainingJob carries the sextant.uid tag; ListTags reads it
  # back when a job is adopted.
  statement {
    sid    = "SageMakerTraining"
    effect = "Allow"
    actions = [
      "sagemaker:AddTags",
      "sagemaker:CreateTrainingJob",
      "sagemaker:DescribeTrainingJob",
      "sagemaker:ListTags",
      "sagemaker:StopTrainingJob",
    ]
    resources = ["${local.sagemaker_arn}:training-job/*"]
  }

  # Model registry mirrors: model package groups and packages (versions) in this account and
  # region, tagged with the ModelVersion's uid.
  statement {
    sid    = "SageMakerModelRegistry"
    effect = "Allow"
    actions = [
      "sagemaker:AddTags",
      "sagemaker:CreateModelPackage",
      "sagemaker:CreateModelPackageGroup",
      "sagemaker:DeleteModelPackage",
      "sagemaker:DescribeModelPackage",
      "sagemaker:DescribeModelPackageGroup",
      "sagemaker:ListTags",
      "sagemaker:UpdateModelPackage",
    ]
    resources = [
      "${local.sagemaker_arn}:model-package/*",
      "${local.sagemaker_arn}:model-package-group/*",
    ]
  }

  # List calls support no resource-level permissions.
  statement {
    sid       = "SageMakerList"
    effect    = "Allow"
    actions   = ["sagemaker:ListModelPackages", "sagemaker:ListTrainingJobs"]
    resources = ["*"]
  }

  # Training jobs read and write S3 with the execution role, which the controller hands to
  # SageMaker (RoleArn of CreateTrainingJob) and to nothing else.
  statement {
    sid       = "PassExecutionRoleToSageMaker"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.sagemaker_execution.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  # AWS Batch: submit to queues/definitions of this account and region, terminate its jobs.
  statement {
    sid    = "BatchSubmit"
    effect = "Allow"
    actions = [
      "batch:SubmitJob",
    ]
    resources = [
      "${local.batch_arn}:job-queue/*",
      "${local.batch_arn}:job-definition/*",
    ]
  }

  statement {
    sid    = "BatchJobs"
    effect = "Allow"
    actions = [
      "batch:TagResource",
      "batch:TerminateJob",
    ]
    resources = ["${local.batch_arn}:job/*"]
  }

  statement {
    sid    = "BatchRead"
    effect = "Allow"
    actions = [
      "batch:DescribeJobs",
      "batch:ListJobs",
    ]
    resources = ["*"]
  }

  # Step outputs (SEXTANT_OUTPUTS_URI, model artifacts) and dataset versions (HeadObject VersionId).
  statement {
    sid       = "S3ReadObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [for arn in local.read_bucket_arns : "${arn}/*"]
  }

  # Objects the controller writes (e.g. `sextant backup --output s3://...`): the models bucket only.
  statement {
    sid       = "S3WriteObjects"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.this["models"].arn}/*"]
  }

  statement {
    sid       = "S3ListBuckets"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = local.read_bucket_arns
  }

  # Training metrics and RetrainPolicy cloudWatch triggers. GetMetricData has no resource-level permissions.
  statement {
    sid       = "CloudWatchMetrics"
    effect    = "Allow"
    actions   = ["cloudwatch:GetMetricData"]
    resources = ["*"]
  }

  # SSE-KMS buckets: reading an object needs kms:Decrypt on its key, writing one kms:GenerateDataKey.
  dynamic "statement" {
    for_each = var.sse_algorithm == "aws:kms" ? [local.kms_key_arn] : []
    content {
      sid       = "UseBucketKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }

  # Per-namespace identities (namespace annotation ml.sextant.dev/aws-role-arn).
  dynamic "statement" {
    for_each = length(var.namespace_role_arns) > 0 ? [var.namespace_role_arns] : []
    content {
      sid       = "AssumeNamespaceRoles"
      effect    = "Allow"
      actions   = ["sts:AssumeRole"]
      resources = statement.value
    }
  }
}

resource "aws_iam_policy" "controller" {
  name        = "${var.name_prefix}-controller"
  description = "Least privilege of the Sextant controller: exactly the AWS calls it makes."
  policy      = data.aws_iam_policy_document.controller.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "controller" {
  role       = aws_iam_role.controller.name
  policy_arn = aws_iam_policy.controller.arn
}
