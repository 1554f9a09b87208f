output "controller_service_account_email" {
  description = "Google service account of the controller: the chart value cloudIdentity.gcp.serviceAccount (annotation iam.gke.io/gcp-service-account)."
  value       = google_service_account.controller.email
}

output "training_service_account_email" {
  description = "Service account for vertexAI steps (spec.steps[].vertexAI.serviceAccount)."
  value       = google_service_account.training.email
}

output "data_bucket" {
  description = "Name of the versioned dataset bucket."
  value       = google_storage_bucket.this["data"].name
}

output "models_bucket" {
  description = "Name of the versioned models bucket (vertexAI baseOutputDirectory gs://<bucket>/...)."
  value       = google_storage_bucket.this["models"].name
}

output "kubernetes_namespace" {
  description = "Namespace of the controller's ServiceAccount (as bound by Workload Identity)."
  value       = var.kubernetes_namespace
}

output "service_account_name" {
  description = "Name of the controller's ServiceAccount (as bound by Workload Identity)."
  value       = var.service_account_name
}
