# Versioned S3 buckets for datasets and models: default encryption, public access blocked, TLS only,
# lifecycle (noncurrent-version expiry, transition to infrequent access, abort incomplete multipart
# uploads), optional access logging and optional cross-region replication (replication.tf).

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV2_AWS_62:Event notifications have no consumer here; Sextant polls object versions (RetrainPolicy dataChange) instead of subscribing to events.
  #checkov:skip=CKV_AWS_144:Cross-region replication is optional (var.replication_enabled, replication.tf); checkov cannot see a conditional replication configuration.
  #checkov:skip=CKV_AWS_18:Access logging is optional (var.access_log_bucket_name, aws_s3_bucket_logging below); the log bucket belongs to the platform's logging account.
  for_each = local.buckets
  bucket   = each.value
  tags     = merge(var.tags, { "sextant.dev/purpose" = each.key })
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = var.sse_algorithm == "aws:kms" ? local.kms_key_arn : null
    }
    bucket_key_enabled = var.sse_algorithm == "aws:kms"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

data "aws_iam_policy_document" "tls_only" {
  for_each = aws_s3_bucket.this
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

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  policy   = data.aws_iam_policy_document.tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id

  rule {
    id     = "versions-and-uploads"
    status = "Enabled"

    filter {}

    transition {
      days          = var.infrequent_access_transition_days
      storage_class = "STANDARD_IA"
    }

    noncurrent_version_transition {
      noncurrent_days = 30
      storage_class   = "STANDARD_IA"
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "this" {
  for_each      = var.access_log_bucket_name == "" ? {} : aws_s3_bucket.this
  bucket        = each.value.id
  target_bucket = var.access_log_bucket_name
  target_prefix = "s3-access/${each.value.id}/"
}
