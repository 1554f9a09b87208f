# Optional Azure ML workspace with the resources it requires (Key Vault, Application Insights on a
# Log Analytics workspace). The workspace's storage is the account of storage.tf.

resource "azurerm_log_analytics_workspace" "this" {
  count               = var.create_ml_workspace ? 1 : 0
  name                = "${var.name_prefix}-logs"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = var.tags
}

resource "azurerm_application_insights" "this" {
  count               = var.create_ml_workspace ? 1 : 0
  name                = "${var.name_prefix}-insights"
  resource_group_name = var.resource_group_name
  location            = var.location
  workspace_id        = azurerm_log_analytics_workspace.this[0].id
  application_type    = "other"
  tags                = var.tags
}

resource "azurerm_key_vault" "this" {
  #checkov:skip=CKV2_AZURE_32:The workspace's Key Vault is reached by the Azure ML service (trusted service bypass); a private endpoint is the platform's networking choice.
  #checkov:skip=CKV_AZURE_189:Public network access stays on but the firewall denies everything except trusted Azure services (network_acls), which Azure ML needs.
  count = var.create_ml_workspace ? 1 : 0
  # Key Vault names are 3-24 characters and globally unique.
  name                       = "${substr(var.name_prefix, 0, 14)}-kv-${substr(md5(var.storage_account_name), 0, 6)}"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  purge_protection_enabled   = true
  soft_delete_retention_days = 90
  enable_rbac_authorization  = true
  tags                       = var.tags

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

resource "azurerm_machine_learning_workspace" "this" {
  #checkov:skip=CKV2_AZURE_49:Same as CKV_AZURE_144: the controller calls the workspace's public REST endpoint with its workload identity; private link is the platform's networking choice.
  #checkov:skip=CKV2_AZURE_50:The workspace's storage account admits only the firewall's subnets and IPs (network_rules default Deny); its public endpoint stays enabled for exactly those.
  #checkov:skip=CKV_AZURE_144:Public network access lets the controller in the AKS cluster reach the workspace's REST API; a private link workspace is the platform's networking choice.
  count                         = var.create_ml_workspace ? 1 : 0
  name                          = "${var.name_prefix}-ml"
  resource_group_name           = var.resource_group_name
  location                      = var.location
  application_insights_id       = azurerm_application_insights.this[0].id
  key_vault_id                  = azurerm_key_vault.this[0].id
  storage_account_id            = azurerm_storage_account.this.id
  public_network_access_enabled = true
  tags                          = var.tags

  identity {
    type = "SystemAssigned"
  }
}
