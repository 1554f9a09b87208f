variable "project_id" {
  description = "Google Cloud project of the Vertex AI jobs, the buckets and the service accounts."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "The project_id must be a Google Cloud project ID (6-30 lowercase letters, digits and '-')."
  }
}

variable "cluster_project_id" {
  description = "Project of the GKE cluster (its workload pool is <project>.svc.id.goog). Empty = project_id."
  type        = string
  default     = ""

  validation {
    condition     = var.cluster_project_id == "" || can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.cluster_project_id))
    error_message = "The cluster_project_id must be empty or a Google Cloud project ID."
  }
}

variable "name_prefix" {
  description = "Prefix of the service account IDs (<prefix>-controller, <prefix>-training)."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}$", var.name_prefix))
    error_message = "The name_prefix must be 2-19 lowercase letters, digits and '-', starting with a letter (service account IDs, <prefix>-controller, are at most 30 characters)."
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

variable "data_bucket_name" {
  description = "Name of the versioned GCS bucket for datasets (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.data_bucket_name))
    error_message = "The data_bucket_name must be a valid GCS bucket name (3-63 lowercase letters, digits, '.', '_' and '-')."
  }
}

variable "models_bucket_name" {
  description = "Name of the versioned GCS bucket for model artifacts and step outputs (vertexAI baseOutputDirectory)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", var.models_bucket_name))
    error_message = "The models_bucket_name must be a valid GCS bucket name (3-63 lowercase letters, digits, '.', '_' and '-')."
  }
}

variable "bucket_location" {
  description = "Location of the buckets: a region (e.g. europe-west4), or a multi-region (EU, US, ASIA) when dual_region_locations is set."
  type        = string

  validation {
    condition     = can(regex("^([a-z]+-[a-z]+[0-9]+|EU|US|ASIA)$", var.bucket_location))
    error_message = "The bucket_location must be a region such as europe-west4 or one of EU, US, ASIA."
  }
}

variable "dual_region_locations" {
  description = "Two regions of the bucket_location multi-region for a configurable dual-region bucket (e.g. [\"EUROPE-WEST1\", \"EUROPE-WEST4\"] with bucket_location = \"EU\"). Empty = single location."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.dual_region_locations) == 0 || (length(var.dual_region_locations) == 2 && alltrue([for r in var.dual_region_locations : can(regex("^[A-Z]+-[A-Z]+[0-9]+$", r))]))
    error_message = "The dual_region_locations must be empty or exactly two upper-case region names."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which a noncurrent object version is deleted."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "The noncurrent_version_expiration_days must be a whole number >= 1."
  }
}

variable "nearline_transition_days" {
  description = "Days after creation at which live objects move to the NEARLINE storage class."
  type        = number
  default     = 30

  validation {
    condition     = var.nearline_transition_days >= 1 && floor(var.nearline_transition_days) == var.nearline_transition_days
    error_message = "The nearline_transition_days must be a whole number >= 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete XML-API multipart uploads are aborted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "The abort_incomplete_multipart_upload_days must be a whole number >= 1."
  }
}

variable "kms_key_name" {
  description = "Cloud KMS key for customer-managed encryption of the buckets (projects/P/locations/L/keyRings/R/cryptoKeys/K). Empty = Google-managed keys."
  type        = string
  default     = ""

  validation {
    condition     = var.kms_key_name == "" || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "The kms_key_name must be empty or a Cloud KMS crypto key resource name."
  }
}

variable "access_log_bucket" {
  description = "Existing bucket that receives usage logs of the buckets. Empty = no usage logs."
  type        = string
  default     = ""
}

variable "labels" {
  description = "Labels added to the buckets."
  type        = map(string)
  default     = {}
}
