data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # Host part of the cluster's OIDC issuer (oidc.eks.<region>.amazonaws.com/id/<id>), the prefix of
  # the condition keys of the IRSA trust policy.
  oidc_issuer_host = var.oidc_provider_arn == "" ? "" : element(split("oidc-provider/", var.oidc_provider_arn), 1)

  service_account_subject = "system:serviceaccount:${var.kubernetes_namespace}:${var.service_account_name}"

  # ARN prefixes that scope the controller's calls to this account and region.
  sagemaker_arn = "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}"
  batch_arn     = "arn:${local.partition}:batch:${local.region}:${local.account_id}"

  buckets = {
    data   = var.data_bucket_name
    models = var.models_bucket_name
  }

  read_bucket_arns = concat([for b in aws_s3_bucket.this : b.arn], var.extra_read_bucket_arns)
}
