variable "service_account_name" {
  description = "Name of the controller's ServiceAccount; must be the one the cloud identity trusts."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account_name))
    error_message = "The service_account_name must be a DNS-1123 subdomain."
  }
}

variable "aws_role_arn" {
  description = "IAM role for IRSA (chart cloudIdentity.aws.roleArn → ServiceAccount annotation eks.amazonaws.com/role-arn). Empty with EKS Pod Identity or off AWS."
  type        = string
  default     = ""

  validation {
    condition     = var.aws_role_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.aws_role_arn))
    error_message = "The aws_role_arn must be empty or an IAM role ARN."
  }
}

variable "aws_region" {
  description = "AWS_REGION of the controller (region of its SageMaker, Batch, S3 and CloudWatch calls). Empty = not set."
  type        = string
  default     = ""

  validation {
    condition     = var.aws_region == "" || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.aws_region))
    error_message = "The aws_region must be empty or an AWS region name such as eu-west-1."
  }
}

variable "gcp_service_account" {
  description = "Google service account email for GKE Workload Identity (chart cloudIdentity.gcp.serviceAccount → annotation iam.gke.io/gcp-service-account). Empty off GCP."
  type        = string
  default     = ""

  validation {
    condition     = var.gcp_service_account == "" || can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\\.iam\\.gserviceaccount\\.com$", var.gcp_service_account))
    error_message = "The gcp_service_account must be empty or a service account email (NAME@PROJECT.iam.gserviceaccount.com)."
  }
}

variable "azure_client_id" {
  description = "Client ID of the user-assigned identity for Azure Workload Identity (chart cloudIdentity.azure.clientId → annotation azure.workload.identity/client-id and pod label azure.workload.identity/use). Empty off Azure."
  type        = string
  default     = ""

  validation {
    condition     = var.azure_client_id == "" || can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", var.azure_client_id))
    error_message = "The azure_client_id must be empty or a GUID."
  }
}

variable "azure_tenant_id" {
  description = "Entra ID tenant of the identity (annotation azure.workload.identity/tenant-id). Empty = the cluster's tenant."
  type        = string
  default     = ""

  validation {
    condition     = var.azure_tenant_id == "" || can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", var.azure_tenant_id))
    error_message = "The azure_tenant_id must be empty or a GUID."
  }
}

variable "pricing" {
  description = "The chart's `pricing:` values (the controller's pricing file: kubernetes, sagemaker, vertexAI, azureML, spotDiscountPercent; see docs/install.md). null = the chart's shipped defaults."
  type        = any
  default     = null
}

variable "extra_env" {
  description = "More environment variables of the controller (chart controller.env), e.g. endpoint overrides."
  type        = list(object({ name = string, value = string }))
  default     = []

  validation {
    condition     = alltrue([for e in var.extra_env : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", e.name))])
    error_message = "Each extra_env name must be a valid environment variable name."
  }
}
