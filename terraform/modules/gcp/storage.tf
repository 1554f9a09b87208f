# Versioned GCS buckets with uniform bucket-level access, public access prevention, lifecycle
# (noncurrent-version deletion, transition to NEARLINE, abort incomplete multipart uploads) and an
# optional configurable dual-region placement.

resource "google_storage_bucket" "this" {
  for_each = local.buckets
  project  = var.project_id
  name     = each.value
  location = var.bucket_location
  labels   = merge(var.labels, { "sextant-purpose" = each.key })

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  dynamic "custom_placement_config" {
    for_each = length(var.dual_region_locations) == 2 ? [var.dual_region_locations] : []
    content {
      data_locations = custom_placement_config.value
    }
  }

  dynamic "encryption" {
    for_each = var.kms_key_name == "" ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  dynamic "logging" {
    for_each = var.access_log_bucket == "" ? [] : [var.access_log_bucket]
    content {
      log_bucket        = logging.value
      log_object_prefix = "gcs-usage/${each.value}"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_expiration_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age        = var.nearline_transition_days
      with_state = "LIVE"
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }

  lifecycle_rule {
    condition {
      age = var.abort_incomplete_multipart_upload_days
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }
}
