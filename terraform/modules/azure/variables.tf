variable "resource_group_name" {
  description = "Existing resource group that receives the identities, the storage account and (optionally) the ML workspace."
  type        = string

  validation {
    condition     = can(regex("^[-\\w.()]{1,89}[-\\w()]$", var.resource_group_name))
    error_message = "The resource_group_name must be a valid resource group name."
  }
}

variable "location" {
  description = "Azure region of the resources, e.g. westeurope."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+[a-z0-9]*$", var.location))
    error_message = "The location must be an Azure region name in lower case without spaces, e.g. westeurope."
  }
}

variable "name_prefix" {
  description = "Prefix of the identities and ML workspace resources (<prefix>-controller, <prefix>-training, ...)."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,23}$", var.name_prefix))
    error_message = "The name_prefix must be 2-24 lowercase letters, digits and '-', starting with a letter."
  }
}

variable "oidc_issuer_url" {
  description = "OIDC issuer URL of the AKS cluster (azurerm_kubernetes_cluster.oidc_issuer_url; the cluster needs oidc_issuer_enabled and workload_identity_enabled)."
  type        = string

  validation {
    condition     = can(regex("^https://", var.oidc_issuer_url))
    error_message = "The oidc_issuer_url must be an https:// URL."
  }
}

variable "kubernetes_namespace" {
  description = "Namespace the Sextant chart is installed in (the controller's ServiceAccount lives there)."
  type        = string
  default     = "sextant-system"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.kubernetes_namespace))
    error_message = "The kubernetes_namespace must be a DNS-1123 label."
  }
}

variable "service_account_name" {
  description = "Name of the controller's Kubernetes ServiceAccount (the chart's default: \"sextant\")."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account_name))
    error_message = "The service_account_name must be a DNS-1123 subdomain."
  }
}

variable "storage_account_name" {
  description = "Name of the storage account for datasets and models (globally unique, 3-24 lowercase letters and digits)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "The storage_account_name must be 3-24 lowercase letters and digits."
  }
}

variable "storage_replication_type" {
  description = "Redundancy of the storage account: ZRS within the region, GZRS/RAGZRS (or GRS/RAGRS) for a copy in the paired region (disaster recovery)."
  type        = string
  default     = "GZRS"

  validation {
    condition     = contains(["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"], var.storage_replication_type)
    error_message = "The storage_replication_type must be one of LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS."
  }
}

variable "soft_delete_retention_days" {
  description = "Days deleted blobs and containers stay recoverable (soft delete)."
  type        = number
  default     = 14

  validation {
    condition     = var.soft_delete_retention_days >= 1 && var.soft_delete_retention_days <= 365
    error_message = "The soft_delete_retention_days must be between 1 and 365."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which previous blob versions are deleted by the lifecycle policy."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "The noncurrent_version_expiration_days must be a whole number >= 1."
  }
}

variable "cool_tier_days" {
  description = "Days since the last modification after which current blobs move to the Cool tier."
  type        = number
  default     = 30

  validation {
    condition     = var.cool_tier_days >= 1 && floor(var.cool_tier_days) == var.cool_tier_days
    error_message = "The cool_tier_days must be a whole number >= 1."
  }
}

variable "allowed_subnet_ids" {
  description = "Subnets (e.g. the AKS node subnet, with the Microsoft.Storage service endpoint) allowed through the storage account's firewall."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.allowed_subnet_ids : can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.Network/virtualNetworks/[^/]+/subnets/[^/]+$", id))])
    error_message = "Each allowed_subnet_ids entry must be a subnet resource ID."
  }
}

variable "allowed_ip_ranges" {
  description = "Public IP ranges (CIDR) allowed through the storage account's firewall, e.g. the cluster's egress IPs."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.allowed_ip_ranges : can(cidrhost(r, 0))])
    error_message = "Each allowed_ip_ranges entry must be a CIDR range."
  }
}

variable "create_ml_workspace" {
  description = "Create an Azure ML workspace (with its Key Vault, Application Insights and Log Analytics workspace). false = use ml_workspace_id."
  type        = bool
  default     = true
}

variable "ml_workspace_id" {
  description = "Resource ID of an existing Azure ML workspace (create_ml_workspace = false)."
  type        = string
  default     = ""

  validation {
    condition     = var.ml_workspace_id == "" || can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.MachineLearningServices/workspaces/[^/]+$", var.ml_workspace_id))
    error_message = "The ml_workspace_id must be empty or an Azure ML workspace resource ID."
  }
}

variable "monitoring_scope_ids" {
  description = "Scopes (Log Analytics workspaces, Application Insights components) the controller may query for RetrainPolicy azureMonitor triggers. Empty = the resource group."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.monitoring_scope_ids : can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+", id))])
    error_message = "Each monitoring_scope_ids entry must be a resource or resource group ID."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "diagnostics_workspace_id" {
  description = "Log Analytics workspace that receives the blob access logs. Empty = the workspace created with the ML workspace, or no blob access logs without one."
  type        = string
  default     = ""

  validation {
    condition     = var.diagnostics_workspace_id == "" || can(regex("^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft.OperationalInsights/workspaces/[^/]+$", var.diagnostics_workspace_id))
    error_message = "The diagnostics_workspace_id must be empty or a Log Analytics workspace resource ID."
  }
}
