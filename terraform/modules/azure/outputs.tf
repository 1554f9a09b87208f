output "controller_client_id" {
  description = "Client ID of the controller's identity: the chart value cloudIdentity.azure.clientId (annotation azure.workload.identity/client-id)."
  value       = azurerm_user_assigned_identity.controller.client_id
}

output "tenant_id" {
  description = "Entra ID tenant of the identities (chart value cloudIdentity.azure.tenantId)."
  value       = azurerm_user_assigned_identity.controller.tenant_id
}

output "training_identity_id" {
  description = "Resource ID of the identity to assign to Azure ML compute clusters that run training jobs."
  value       = azurerm_user_assigned_identity.training.id
}

output "storage_account_name" {
  description = "Storage account of the data and models containers."
  value       = azurerm_storage_account.this.name
}

output "containers" {
  description = "abfss:// base URI per container (data, models)."
  value       = { for c in local.containers : c => "abfss://${c}@${azurerm_storage_account.this.name}.dfs.core.windows.net/" }
}

output "ml_workspace_id" {
  description = "Resource ID of the Azure ML workspace (azureML steps: its subscription, resource group and name)."
  value       = local.ml_workspace_id
}

output "kubernetes_namespace" {
  description = "Namespace of the controller's ServiceAccount (as trusted by the federated credential)."
  value       = var.kubernetes_namespace
}

output "service_account_name" {
  description = "Name of the controller's ServiceAccount (as trusted by the federated credential)."
  value       = var.service_account_name
}
