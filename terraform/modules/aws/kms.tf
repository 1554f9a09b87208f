# The KMS key of the buckets (SSE-KMS), created unless one is given.

locals {
  create_kms_key = var.sse_algorithm == "aws:kms" && var.kms_key_arn == ""
  kms_key_arn    = var.sse_algorithm != "aws:kms" ? "" : (var.kms_key_arn != "" ? var.kms_key_arn : aws_kms_key.buckets[0].arn)

  create_replica_kms_key = var.replication_enabled && var.sse_algorithm == "aws:kms" && var.replica_kms_key_arn == ""
  replica_kms_key_arn    = !var.replication_enabled || var.sse_algorithm != "aws:kms" ? "" : (var.replica_kms_key_arn != "" ? var.replica_kms_key_arn : aws_kms_key.replica[0].arn)
}

# Key policy: the account administers the key through IAM (the default key policy, written out);
# the controller and the SageMaker execution role get their key use from their IAM policies.
data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:This is a key policy: "kms:*" on "*" for the account root is AWS's default key policy (the key itself, administered through IAM), not an identity policy.
  #checkov:skip=CKV_AWS_111:This is a key policy: "*" means this key only; principals are limited to the account and their IAM policies.
  #checkov:skip=CKV_AWS_356:This is a key policy: in a key policy the resource "*" is the key the policy is attached to.
  statement {
    sid       = "AccountAdministersThroughIAM"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "buckets" {
  count                   = local.create_kms_key ? 1 : 0
  description             = "${var.name_prefix}: Sextant data and model buckets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = var.tags
}

resource "aws_kms_alias" "buckets" {
  count         = local.create_kms_key ? 1 : 0
  name          = "alias/${var.name_prefix}-buckets"
  target_key_id = aws_kms_key.buckets[0].key_id
}

resource "aws_kms_key" "replica" {
  count                   = local.create_replica_kms_key ? 1 : 0
  provider                = aws.replica
  description             = "${var.name_prefix}: Sextant replica buckets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = var.tags
}
