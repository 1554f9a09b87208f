# Storage account for datasets and models: blob versioning, soft delete of blobs and containers,
# change feed, lifecycle management (previous versions deleted, current blobs to Cool), TLS 1.2,
# no shared keys (Entra ID only), no public blobs, firewall with the cluster's subnets and IPs.
# Azure keeps no incomplete multipart uploads: uncommitted blocks are discarded after 7 days.

resource "azurerm_storage_account" "this" {
  #checkov:skip=CKV2_AZURE_1:Encryption at rest with Microsoft-managed keys plus infrastructure encryption; a customer-managed key is the platform's choice and needs its own Key Vault wiring.
  #checkov:skip=CKV2_AZURE_33:Access goes through the firewall (network_rules: the cluster's subnets and IPs); a private endpoint needs the platform's private DNS zones and is left to it.
  #checkov:skip=CKV_AZURE_33:Queue service logging does not apply: the account holds only blobs, no queues.
  #checkov:skip=CKV_AZURE_59:The AKS nodes reach the account over its public endpoint restricted by network_rules (default Deny); disabling it needs a private endpoint (see CKV2_AZURE_33).
  name                              = var.storage_account_name
  resource_group_name               = var.resource_group_name
  location                          = var.location
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = var.storage_replication_type
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  infrastructure_encryption_enabled = true
  local_user_enabled                = false
  tags                              = var.tags

  blob_properties {
    versioning_enabled  = true
    change_feed_enabled = true

    delete_retention_policy {
      days = var.soft_delete_retention_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_retention_days
    }
  }

  network_rules {
    default_action             = "Deny"
    bypass                     = ["AzureServices"]
    virtual_network_subnet_ids = var.allowed_subnet_ids
    ip_rules                   = var.allowed_ip_ranges
  }

  sas_policy {
    expiration_period = "01.00:00:00"
    expiration_action = "Log"
  }
}

resource "azurerm_storage_container" "this" {
  #checkov:skip=CKV2_AZURE_21:Blob read/write/delete logging is azurerm_monitor_diagnostic_setting.blob below (resource logs StorageRead/StorageWrite/StorageDelete); checkov only recognises the retired azurerm_log_analytics_storage_insights.
  for_each              = local.containers
  name                  = each.value
  storage_account_name  = azurerm_storage_account.this.name
  container_access_type = "private"
}

resource "azurerm_storage_management_policy" "this" {
  storage_account_id = azurerm_storage_account.this.id

  rule {
    name    = "versions-and-tiering"
    enabled = true

    filters {
      blob_types = ["blockBlob"]
    }

    actions {
      base_blob {
        tier_to_cool_after_days_since_modification_greater_than = var.cool_tier_days
      }

      version {
        delete_after_days_since_creation = var.noncurrent_version_expiration_days
      }

      snapshot {
        delete_after_days_since_creation_greater_than = var.noncurrent_version_expiration_days
      }
    }
  }
}

# Blob access logs (reads, writes, deletes) into the Log Analytics workspace.
resource "azurerm_monitor_diagnostic_setting" "blob" {
  count                      = var.diagnostics_workspace_id != "" || var.create_ml_workspace ? 1 : 0
  name                       = "${var.name_prefix}-blob-access"
  target_resource_id         = "${azurerm_storage_account.this.id}/blobServices/default"
  log_analytics_workspace_id = local.diagnostics_workspace_id

  enabled_log {
    category = "StorageRead"
  }

  enabled_log {
    category = "StorageWrite"
  }

  enabled_log {
    category = "StorageDelete"
  }
}
