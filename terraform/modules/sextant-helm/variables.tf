variable "release_name" {
  description = "Helm release name (the chart's resource names derive from it)."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$", var.release_name))
    error_message = "The release_name must be a DNS-1123 label of at most 53 characters."
  }
}

variable "namespace" {
  description = "Namespace of the release; must be the namespace the cloud identity trusts (the cloud module's kubernetes_namespace output)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "The namespace must be a DNS-1123 label."
  }
}

variable "create_namespace" {
  description = "Create the namespace when it does not exist."
  type        = bool
  default     = true
}

variable "chart" {
  description = "Chart to install: a local path (default: this repository's charts/sextant) or a chart name in chart_repository."
  type        = string
  default     = ""
}

variable "chart_repository" {
  description = "Helm repository URL or OCI registry of the chart; empty for a local path."
  type        = string
  default     = ""

  validation {
    condition     = var.chart_repository == "" || can(regex("^(https://|oci://)", var.chart_repository))
    error_message = "The chart_repository must be empty or an https:// or oci:// URL."
  }
}

variable "chart_version" {
  description = "Chart version (with chart_repository); empty = the latest / the local chart."
  type        = string
  default     = ""
}

variable "service_account_name" {
  description = "Name of the controller's ServiceAccount; the cloud module's service_account_name output."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account_name))
    error_message = "The service_account_name must be a DNS-1123 subdomain."
  }
}

variable "aws_role_arn" {
  description = "IRSA role ARN from the aws module (irsa_role_arn); empty with Pod Identity or off AWS."
  type        = string
  default     = ""
}

variable "aws_region" {
  description = "AWS region of the controller's calls (aws module output region); empty off AWS."
  type        = string
  default     = ""
}

variable "gcp_service_account" {
  description = "Google service account email from the gcp module (controller_service_account_email); empty off GCP."
  type        = string
  default     = ""
}

variable "azure_client_id" {
  description = "Client ID from the azure module (controller_client_id); empty off Azure."
  type        = string
  default     = ""
}

variable "azure_tenant_id" {
  description = "Tenant ID from the azure module (tenant_id); empty = the cluster's tenant."
  type        = string
  default     = ""
}

variable "pricing" {
  description = "The chart's `pricing:` values; null = the chart's shipped defaults."
  type        = any
  default     = null
}

variable "extra_env" {
  description = "More environment variables of the controller (chart controller.env)."
  type        = list(object({ name = string, value = string }))
  default     = []
}

variable "extra_values" {
  description = "More values files (YAML strings), applied after the generated values (image, resources, rbac mode, ...)."
  type        = list(string)
  default     = []
}

variable "timeout_seconds" {
  description = "Seconds Helm waits for the controller to become ready."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 30 && var.timeout_seconds <= 3600
    error_message = "The timeout_seconds must be between 30 and 3600."
  }
}
