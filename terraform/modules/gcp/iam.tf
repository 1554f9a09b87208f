# The controller's Google service account, bound to the Kubernetes ServiceAccount by GKE Workload
# Identity, and the training service account the Vertex AI CustomJobs run as.
#
# Least privilege by predefined roles, from what the contract says the controller calls (Vertex AI
# CustomJobs create/get/cancel, Model Registry upload/aliases, GCS object reads, Cloud Monitoring
# PromQL reads). Deriving them from the Swift client's own operation table waits on the GCP client
# (issue 14), as TerraformTests says.

resource "google_service_account" "controller" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-controller"
  display_name = "Sextant controller (${var.kubernetes_namespace}/${var.service_account_name})"
}

resource "google_service_account" "training" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-training"
  display_name = "Sextant Vertex AI training jobs"
}

# GKE Workload Identity: the Kubernetes ServiceAccount may act as the controller's service account.
resource "google_service_account_iam_member" "controller_workload_identity" {
  service_account_id = google_service_account.controller.name
  role               = "roles/iam.workloadIdentityUser"
  member             = local.ksa_member
}

# Vertex AI CustomJobs and Model Registry (create/get/cancel jobs, upload models, version aliases).
resource "google_project_iam_member" "controller_vertex" {
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.controller.email}"
}

# RetrainPolicy cloudMonitoring triggers (PromQL reads).
resource "google_project_iam_member" "controller_monitoring" {
  project = var.project_id
  role    = "roles/monitoring.viewer"
  member  = "serviceAccount:${google_service_account.controller.email}"
}

# A CustomJob with spec.serviceAccount needs iam.serviceAccounts.actAs on that account only.
resource "google_service_account_iam_member" "controller_acts_as_training" {
  service_account_id = google_service_account.training.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.controller.email}"
}

# Step outputs (SEXTANT_OUTPUTS_URI) and dataset generations: object reads on both buckets.
resource "google_storage_bucket_iam_member" "controller_read" {
  for_each = google_storage_bucket.this
  bucket   = each.value.name
  role     = "roles/storage.objectViewer"
  member   = "serviceAccount:${google_service_account.controller.email}"
}

# `sextant backup --output gs://...` and outputs the controller records: object creation on the
# models bucket (no overwrite or delete).
resource "google_storage_bucket_iam_member" "controller_create" {
  bucket = google_storage_bucket.this["models"].name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.controller.email}"
}

# Training jobs: read datasets and models, write model artifacts, logs and metrics.
resource "google_storage_bucket_iam_member" "training_read" {
  for_each = google_storage_bucket.this
  bucket   = each.value.name
  role     = "roles/storage.objectViewer"
  member   = "serviceAccount:${google_service_account.training.email}"
}

resource "google_storage_bucket_iam_member" "training_write" {
  bucket = google_storage_bucket.this["models"].name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.training.email}"
}

resource "google_project_iam_member" "training_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.training.email}"
}

resource "google_project_iam_member" "training_metrics" {
  project = var.project_id
  role    = "roles/monitoring.metricWriter"
  member  = "serviceAccount:${google_service_account.training.email}"
}
