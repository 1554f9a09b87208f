output "training_service_account" {
  description = "serviceAccount for vertexAI steps."
  value       = module.gcp.training_service_account_email
}

output "data_bucket" {
  description = "Dataset bucket (gs://<bucket>/...)."
  value       = module.gcp.data_bucket
}

output "models_bucket" {
  description = "Models bucket for baseOutputDirectory."
  value       = module.gcp.models_bucket
}
