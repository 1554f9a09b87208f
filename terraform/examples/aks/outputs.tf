output "ml_workspace_id" {
  description = "Azure ML workspace for azureML steps (subscriptionId, resourceGroup, workspace)."
  value       = module.azure.ml_workspace_id
}

output "training_identity_id" {
  description = "Identity to assign to the Azure ML compute clusters."
  value       = module.azure.training_identity_id
}

output "containers" {
  description = "abfss:// URIs of the data and models containers."
  value       = module.azure.containers
}
