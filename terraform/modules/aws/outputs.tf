output "controller_role_arn" {
  description = "IAM role of the controller. With IRSA it goes into the chart value cloudIdentity.aws.roleArn (ServiceAccount annotation eks.amazonaws.com/role-arn); with Pod Identity the association already binds it."
  value       = aws_iam_role.controller.arn
}

output "irsa_role_arn" {
  description = "The controller role ARN when identity_mode = \"irsa\", else empty: the value of the ServiceAccount annotation eks.amazonaws.com/role-arn."
  value       = var.identity_mode == "irsa" ? aws_iam_role.controller.arn : ""
}

output "controller_policy_json" {
  description = "The controller's least-privilege IAM policy document."
  value       = data.aws_iam_policy_document.controller.json
}

output "sagemaker_execution_role_arn" {
  description = "Execution role for sagemaker steps (spec.steps[].sagemaker.roleArn)."
  value       = aws_iam_role.sagemaker_execution.arn
}

output "data_bucket" {
  description = "Name of the versioned dataset bucket."
  value       = aws_s3_bucket.this["data"].id
}

output "models_bucket" {
  description = "Name of the versioned models bucket (sagemaker outputS3Uri, awsBatch outputS3Uri)."
  value       = aws_s3_bucket.this["models"].id
}

output "replica_buckets" {
  description = "Replica bucket names by purpose (empty without replication)."
  value       = { for k, b in aws_s3_bucket.replica : k => b.id }
}

output "model_package_group_arns" {
  description = "SageMaker model package group ARN per model."
  value       = { for k, g in aws_sagemaker_model_package_group.this : k => g.arn }
}

output "region" {
  description = "Region of the controller's AWS calls (AWS_REGION of the controller)."
  value       = local.region
}

output "kubernetes_namespace" {
  description = "Namespace of the controller's ServiceAccount (as trusted by the role)."
  value       = var.kubernetes_namespace
}

output "service_account_name" {
  description = "Name of the controller's ServiceAccount (as trusted by the role)."
  value       = var.service_account_name
}
