variable "project_id" {
  description = "Google Cloud project of the cluster, Vertex AI and the buckets."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "The project_id must be a Google Cloud project ID."
  }
}

variable "cluster_name" {
  description = "Name of the existing GKE cluster (Workload Identity enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", var.cluster_name))
    error_message = "The cluster_name must be a valid GKE cluster name."
  }
}

variable "cluster_location" {
  description = "Region or zone of the GKE cluster."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+(-[a-z])?$", var.cluster_location))
    error_message = "The cluster_location must be a region (europe-west4) or a zone (europe-west4-a)."
  }
}

variable "bucket_location" {
  description = "Location of the buckets: a region, or EU/US/ASIA with dual_region_locations."
  type        = string

  validation {
    condition     = can(regex("^([a-z]+-[a-z]+[0-9]+|EU|US|ASIA)$", var.bucket_location))
    error_message = "The bucket_location must be a region or one of EU, US, ASIA."
  }
}

variable "dual_region_locations" {
  description = "Two regions for a dual-region bucket (with bucket_location EU/US/ASIA); empty = single location."
  type        = list(string)
  default     = []
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

variable "data_bucket_name" {
  description = "Name of the dataset bucket (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.data_bucket_name))
    error_message = "The data_bucket_name must be a valid GCS bucket name."
  }
}

variable "models_bucket_name" {
  description = "Name of the models bucket (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.models_bucket_name))
    error_message = "The models_bucket_name must be a valid GCS bucket name."
  }
}

variable "pricing" {
  description = "The chart's pricing values (null = the chart's shipped prices)."
  type        = any
  default     = null
}
