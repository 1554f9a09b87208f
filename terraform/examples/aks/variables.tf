variable "subscription_id" {
  description = "Azure subscription of the cluster and the Sextant resources."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", var.subscription_id))
    error_message = "The subscription_id must be a GUID."
  }
}

variable "resource_group_name" {
  description = "Existing resource group for the identities, storage and ML workspace."
  type        = string

  validation {
    condition     = can(regex("^[-\\w.()]{1,89}[-\\w()]$", var.resource_group_name))
    error_message = "The resource_group_name must be a valid resource group name."
  }
}

variable "location" {
  description = "Azure region of the Sextant resources."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+[a-z0-9]*$", var.location))
    error_message = "The location must be an Azure region name such as westeurope."
  }
}

variable "cluster_name" {
  description = "Name of the existing AKS cluster (OIDC issuer and workload identity enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][-_a-zA-Z0-9]{0,62}$", var.cluster_name))
    error_message = "The cluster_name must be a valid AKS cluster name."
  }
}

variable "cluster_resource_group_name" {
  description = "Resource group of the AKS cluster."
  type        = string

  validation {
    condition     = can(regex("^[-\\w.()]{1,89}[-\\w()]$", var.cluster_resource_group_name))
    error_message = "The cluster_resource_group_name must be a valid resource group name."
  }
}

variable "namespace" {
  description = "Namespace of the Sextant release."
  type        = string
  default     = "sextant-system"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "The namespace must be a DNS-1123 label."
  }
}

variable "storage_account_name" {
  description = "Storage account for datasets and models (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "The storage_account_name must be 3-24 lowercase letters and digits."
  }
}

variable "allowed_subnet_ids" {
  description = "Subnets allowed through the storage firewall (the AKS node subnet)."
  type        = list(string)
  default     = []
}

variable "create_ml_workspace" {
  description = "Create an Azure ML workspace (false = give ml_workspace_id)."
  type        = bool
  default     = true
}

variable "ml_workspace_id" {
  description = "Existing Azure ML workspace (create_ml_workspace = false)."
  type        = string
  default     = ""
}

variable "pricing" {
  description = "The chart's pricing values (null = the chart's shipped prices)."
  type        = any
  default     = null
}

variable "tags" {
  description = "Tags on every Azure resource."
  type        = map(string)
  default     = {}
}
