# The controller's user-assigned identity with a federated credential for its Kubernetes
# ServiceAccount (AKS workload identity), and the identity Azure ML compute runs training jobs as.
#
# Least privilege by built-in roles, scoped to the ML workspace, the storage account and the
# monitoring scopes, from what the contract says the controller calls (Azure ML jobs PUT/GET/cancel,
# model versions, blob reads, Log Analytics queries). The calls and their RBAC actions are listed in
# the Swift client's operation table (Sources/CloudAzure/AzureOperation.swift); `sextant
# cloud-permissions azure` prints a custom role with exactly those actions, for clusters that want
# narrower grants than these built-in roles (docs/clouds/azure.md, "Least privilege").

resource "azurerm_user_assigned_identity" "controller" {
  name                = "${var.name_prefix}-controller"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "controller" {
  name                = "${var.name_prefix}-${var.kubernetes_namespace}-${var.service_account_name}"
  resource_group_name = var.resource_group_name
  parent_id           = azurerm_user_assigned_identity.controller.id
  issuer              = var.oidc_issuer_url
  subject             = local.service_account_subject
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_user_assigned_identity" "training" {
  name                = "${var.name_prefix}-training"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = var.tags
}

# Jobs (PUT by name, GET, cancel) and model versions in the workspace.
resource "azurerm_role_assignment" "controller_ml" {
  scope                = local.ml_workspace_id
  role_definition_name = "AzureML Data Scientist"
  principal_id         = azurerm_user_assigned_identity.controller.principal_id
  principal_type       = "ServicePrincipal"
}

# Step outputs (SEXTANT_OUTPUTS_URI) and dataset versions: blob reads.
resource "azurerm_role_assignment" "controller_blob_read" {
  scope                = azurerm_storage_account.this.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.controller.principal_id
  principal_type       = "ServicePrincipal"
}

# RetrainPolicy azureMonitor triggers (Log Analytics / Application Insights queries).
resource "azurerm_role_assignment" "controller_monitoring" {
  for_each             = toset(local.monitoring_scope_ids)
  scope                = each.value
  role_definition_name = "Monitoring Reader"
  principal_id         = azurerm_user_assigned_identity.controller.principal_id
  principal_type       = "ServicePrincipal"
}

# Training jobs read datasets and write models and outputs.
resource "azurerm_role_assignment" "training_blob_write" {
  scope                = azurerm_storage_account.this.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.training.principal_id
  principal_type       = "ServicePrincipal"
}
