variable "region" {
  description = "AWS region of the EKS cluster, the buckets and the SageMaker/Batch work."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "The region must be an AWS region name such as eu-west-1."
  }
}

variable "replica_region" {
  description = "Second region for cross-region replication of the buckets (disaster recovery). Empty = no replication."
  type        = string
  default     = ""

  validation {
    condition     = var.replica_region == "" || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.replica_region))
    error_message = "The replica_region must be empty or an AWS region name."
  }
}

variable "cluster_name" {
  description = "Name of the existing EKS cluster Sextant is installed on."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "The cluster_name must be a valid EKS cluster name."
  }
}

variable "identity_mode" {
  description = "\"irsa\" (the cluster has an IAM OIDC provider) or \"pod_identity\" (the cluster runs the eks-pod-identity-agent add-on)."
  type        = string
  default     = "irsa"

  validation {
    condition     = contains(["irsa", "pod_identity"], var.identity_mode)
    error_message = "The identity_mode must be \"irsa\" or \"pod_identity\"."
  }
}

variable "name_prefix" {
  description = "Prefix of the IAM roles and policies, e.g. \"sextant-prod\"."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,38}$", var.name_prefix))
    error_message = "The name_prefix must be 2-39 letters, digits and '-', starting with a letter."
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

variable "data_bucket_name" {
  description = "Name of the dataset bucket (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_bucket_name))
    error_message = "The data_bucket_name must be a valid S3 bucket name."
  }
}

variable "models_bucket_name" {
  description = "Name of the models bucket (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.models_bucket_name))
    error_message = "The models_bucket_name must be a valid S3 bucket name."
  }
}

variable "models" {
  description = "Model package groups to create: model name => description."
  type        = map(string)
  default     = {}
}

variable "namespace_role_arns" {
  description = "Per-namespace IAM roles the controller may assume (namespaces annotated ml.sextant.dev/aws-role-arn)."
  type        = list(string)
  default     = []
}

variable "pricing" {
  description = "The chart's pricing values (null = the chart's shipped prices)."
  type        = any
  default     = null
}

variable "tags" {
  description = "Tags on every AWS resource."
  type        = map(string)
  default     = {}
}
