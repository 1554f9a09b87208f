data "azurerm_client_config" "current" {}

data "azurerm_resource_group" "this" {
  name = var.resource_group_name
}

locals {
  service_account_subject  = "system:serviceaccount:${var.kubernetes_namespace}:${var.service_account_name}"
  ml_workspace_id          = var.create_ml_workspace ? azurerm_machine_learning_workspace.this[0].id : var.ml_workspace_id
  monitoring_scope_ids     = length(var.monitoring_scope_ids) > 0 ? var.monitoring_scope_ids : [data.azurerm_resource_group.this.id]
  containers               = toset(["data", "models"])
  diagnostics_workspace_id = var.diagnostics_workspace_id != "" ? var.diagnostics_workspace_id : (var.create_ml_workspace ? azurerm_log_analytics_workspace.this[0].id : "")
}
