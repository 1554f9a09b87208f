variable "name_prefix" {
  description = "Prefix of every IAM role, policy and KMS alias this module creates, e.g. \"sextant-prod\"."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,38}$", var.name_prefix))
    error_message = "The name_prefix must be 2-39 characters: letters, digits and '-', starting with a letter."
  }
}

variable "identity_mode" {
  description = "How the controller's pods get the controller role: \"irsa\" (IAM Roles for Service Accounts, trust on the cluster's OIDC provider; the chart annotates the ServiceAccount) or \"pod_identity\" (an EKS Pod Identity association; needs the eks-pod-identity-agent add-on)."
  type        = string
  default     = "irsa"

  validation {
    condition     = contains(["irsa", "pod_identity"], var.identity_mode)
    error_message = "The identity_mode must be \"irsa\" or \"pod_identity\"."
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster. Used for the Pod Identity association (identity_mode = \"pod_identity\")."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "The cluster_name must be a valid EKS cluster name (1-100 characters: letters, digits, '-' and '_')."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the IAM OIDC identity provider of the EKS cluster (arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>). Required for identity_mode = \"irsa\"; may be empty for \"pod_identity\"."
  type        = string
  default     = ""

  validation {
    condition     = var.oidc_provider_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "The oidc_provider_arn must be empty or an IAM OIDC provider ARN."
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
  description = "Name of the controller's Kubernetes ServiceAccount (the chart's default is the release's full name, \"sextant\")."
  type        = string
  default     = "sextant"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account_name))
    error_message = "The service_account_name must be a DNS-1123 subdomain."
  }
}

variable "namespace_role_arns" {
  description = "Per-namespace IAM roles the controller may assume (sts:AssumeRole) for namespaces annotated ml.sextant.dev/aws-role-arn. Empty = no AssumeRole permission. Each role's trust policy must allow the controller role (output controller_role_arn)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.namespace_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "Each namespace_role_arns entry must be an IAM role ARN (no wildcards)."
  }
}

variable "data_bucket_name" {
  description = "Name of the versioned S3 bucket for datasets (globally unique, at most 55 characters: the replica bucket is <name>-replica)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,53}[a-z0-9]$", var.data_bucket_name))
    error_message = "The data_bucket_name must be a valid S3 bucket name of at most 55 characters (lowercase letters, digits, '.' and '-'), so that its replica <name>-replica fits in 63."
  }
}

variable "models_bucket_name" {
  description = "Name of the versioned S3 bucket for model artifacts and step outputs (globally unique, at most 55 characters: the replica bucket is <name>-replica)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,53}[a-z0-9]$", var.models_bucket_name))
    error_message = "The models_bucket_name must be a valid S3 bucket name of at most 55 characters (lowercase letters, digits, '.' and '-'), so that its replica <name>-replica fits in 63."
  }
}

variable "extra_read_bucket_arns" {
  description = "ARNs of further S3 buckets the controller may read step outputs and dataset versions from (besides the two buckets of this module)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.extra_read_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", arn))])
    error_message = "Each extra_read_bucket_arns entry must be an S3 bucket ARN (arn:aws:s3:::name)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which a noncurrent (overwritten or deleted) object version is expired."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "The noncurrent_version_expiration_days must be a whole number >= 1."
  }
}

variable "infrequent_access_transition_days" {
  description = "Days after creation at which current objects move to STANDARD_IA (S3 requires at least 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.infrequent_access_transition_days >= 30 && floor(var.infrequent_access_transition_days) == var.infrequent_access_transition_days
    error_message = "The infrequent_access_transition_days must be a whole number >= 30."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted and their parts deleted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "The abort_incomplete_multipart_upload_days must be a whole number >= 1."
  }
}

variable "replication_enabled" {
  description = "Replicate both buckets to replica buckets in the region of the aws.replica provider (disaster recovery). The aws.replica provider must then point to a different region."
  type        = bool
  default     = false
}

variable "access_log_bucket_name" {
  description = "Existing S3 bucket that receives server access logs of the buckets (prefix s3-access/<bucket>/). Empty = no access logging."
  type        = string
  default     = ""

  validation {
    condition     = var.access_log_bucket_name == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket_name))
    error_message = "The access_log_bucket_name must be empty or a valid S3 bucket name."
  }
}

variable "models" {
  description = "Models to register: one SageMaker model package group each (the name used in ModelVersion spec.registries.sagemaker.modelPackageGroup), mapped to its description."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.models) : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", name))])
    error_message = "Each model name must be a valid model package group name (1-63 letters, digits and '-', not starting or ending with '-')."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "sse_algorithm" {
  description = "Default encryption of the buckets: \"aws:kms\" (SSE-KMS with kms_key_arn, or a key this module creates with rotation on) or \"AES256\" (SSE-S3)."
  type        = string
  default     = "aws:kms"

  validation {
    condition     = contains(["aws:kms", "AES256"], var.sse_algorithm)
    error_message = "The sse_algorithm must be \"aws:kms\" or \"AES256\"."
  }
}

variable "kms_key_arn" {
  description = "Existing KMS key for SSE-KMS (sse_algorithm = \"aws:kms\"). Empty = the module creates one."
  type        = string
  default     = ""

  validation {
    condition     = var.kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be empty or a KMS key ARN."
  }
}

variable "replica_kms_key_arn" {
  description = "KMS key in the replica region for the replica buckets (replication_enabled with sse_algorithm = \"aws:kms\"). Empty = the module creates one there."
  type        = string
  default     = ""

  validation {
    condition     = var.replica_kms_key_arn == "" || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.replica_kms_key_arn))
    error_message = "The replica_kms_key_arn must be empty or a KMS key ARN."
  }
}
