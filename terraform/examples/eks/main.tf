# Sextant on an existing EKS cluster: the aws module (controller role, SageMaker execution role,
# buckets, model package groups) and the chart, wired by the module outputs.

provider "aws" {
  region = var.region
}

# The replica region of the buckets' cross-region replication (unused without replica_region).
provider "aws" {
  alias  = "replica"
  region = var.replica_region != "" ? var.replica_region : var.region
}

data "aws_eks_cluster" "this" {
  name = var.cluster_name
}

data "aws_iam_openid_connect_provider" "this" {
  count = var.identity_mode == "irsa" ? 1 : 0
  url   = data.aws_eks_cluster.this.identity[0].oidc[0].issuer
}

provider "helm" {
  kubernetes {
    host                   = data.aws_eks_cluster.this.endpoint
    cluster_ca_certificate = base64decode(data.aws_eks_cluster.this.certificate_authority[0].data)
    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", var.cluster_name, "--region", var.region]
    }
  }
}

module "aws" {
  source = "../../modules/aws"
  providers = {
    aws         = aws
    aws.replica = aws.replica
  }

  name_prefix          = var.name_prefix
  identity_mode        = var.identity_mode
  cluster_name         = var.cluster_name
  oidc_provider_arn    = var.identity_mode == "irsa" ? data.aws_iam_openid_connect_provider.this[0].arn : ""
  kubernetes_namespace = var.namespace
  namespace_role_arns  = var.namespace_role_arns
  data_bucket_name     = var.data_bucket_name
  models_bucket_name   = var.models_bucket_name
  replication_enabled  = var.replica_region != ""
  models               = var.models
  tags                 = var.tags
}

module "sextant" {
  source = "../../modules/sextant-helm"

  namespace            = module.aws.kubernetes_namespace
  service_account_name = module.aws.service_account_name
  aws_role_arn         = module.aws.irsa_role_arn
  aws_region           = module.aws.region
  pricing              = var.pricing
}
