# Optional cross-region replication of both buckets (disaster recovery) into replica buckets in the
# region of the aws.replica provider.

locals {
  replica_buckets = var.replication_enabled ? local.buckets : {}
}

resource "aws_s3_bucket" "replica" {
  #checkov:skip=CKV2_AWS_62:Replica buckets are a disaster-recovery copy; nothing consumes their events.
  #checkov:skip=CKV_AWS_144:This is the replication destination; replicating the replica again is not wanted.
  #checkov:skip=CKV_AWS_18:Access logging of the replica is the platform's choice in the replica region.
  for_each = local.replica_buckets
  provider = aws.replica
  bucket   = "${each.value}-replica"
  tags     = merge(var.tags, { "sextant.dev/purpose" = "${each.key}-replica" })
}

resource "aws_s3_bucket_versioning" "replica" {
  for_each = aws_s3_bucket.replica
  provider = aws.replica
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "replica" {
  for_each = aws_s3_bucket.replica
  provider = aws.replica
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = var.sse_algorithm == "aws:kms" ? local.replica_kms_key_arn : null
    }
    bucket_key_enabled = var.sse_algorithm == "aws:kms"
  }
}

resource "aws_s3_bucket_public_access_block" "replica" {
  for_each                = aws_s3_bucket.replica
  provider                = aws.replica
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "replica" {
  for_each = aws_s3_bucket.replica
  provider = aws.replica
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "replica_tls_only" {
  for_each = aws_s3_bucket.replica
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "replica" {
  for_each = aws_s3_bucket.replica
  provider = aws.replica
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.replica_tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.replica]
}

resource "aws_s3_bucket_lifecycle_configuration" "replica" {
  for_each = aws_s3_bucket.replica
  provider = aws.replica
  bucket   = each.value.id

  rule {
    id     = "versions-and-uploads"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.replica]
}

data "aws_iam_policy_document" "replication_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "replication" {
  count              = var.replication_enabled ? 1 : 0
  name               = "${var.name_prefix}-s3-replication"
  assume_role_policy = data.aws_iam_policy_document.replication_trust.json
  tags               = var.tags
}

data "aws_iam_policy_document" "replication" {
  statement {
    sid    = "ReadSource"
    effect = "Allow"
    actions = [
      "s3:GetReplicationConfiguration",
      "s3:ListBucket",
    ]
    resources = [for b in aws_s3_bucket.this : b.arn]
  }

  statement {
    sid    = "ReadSourceVersions"
    effect = "Allow"
    actions = [
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionTagging",
    ]
    resources = [for b in aws_s3_bucket.this : "${b.arn}/*"]
  }

  statement {
    sid    = "WriteReplica"
    effect = "Allow"
    actions = [
      "s3:ReplicateDelete",
      "s3:ReplicateObject",
      "s3:ReplicateTags",
    ]
    resources = [for b in aws_s3_bucket.replica : "${b.arn}/*"]
  }

  dynamic "statement" {
    for_each = var.sse_algorithm == "aws:kms" ? [local.kms_key_arn] : []
    content {
      sid       = "DecryptSource"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.replication_enabled && var.sse_algorithm == "aws:kms" ? [local.replica_kms_key_arn] : []
    content {
      sid       = "EncryptReplica"
      effect    = "Allow"
      actions   = ["kms:Encrypt"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "replication" {
  count  = var.replication_enabled ? 1 : 0
  name   = "replication"
  role   = aws_iam_role.replication[0].id
  policy = data.aws_iam_policy_document.replication.json
}

resource "aws_s3_bucket_replication_configuration" "this" {
  for_each = local.replica_buckets
  bucket   = aws_s3_bucket.this[each.key].id
  role     = aws_iam_role.replication[0].arn

  rule {
    id     = "disaster-recovery"
    status = "Enabled"

    filter {}

    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = var.sse_algorithm == "aws:kms" ? "Enabled" : "Disabled"
      }
    }

    destination {
      bucket        = aws_s3_bucket.replica[each.key].arn
      storage_class = "STANDARD_IA"

      dynamic "encryption_configuration" {
        for_each = var.replication_enabled && var.sse_algorithm == "aws:kms" ? [local.replica_kms_key_arn] : []
        content {
          replica_kms_key_id = encryption_configuration.value
        }
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this, aws_s3_bucket_versioning.replica]
}
