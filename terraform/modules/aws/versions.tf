terraform {
  required_version = ">= 1.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # >= 5.30: aws_eks_pod_identity_association.
      version               = ">= 5.30.0"
      configuration_aliases = [aws.replica]
    }
  }
}
