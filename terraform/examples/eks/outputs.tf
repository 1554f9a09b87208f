output "sagemaker_execution_role_arn" {
  description = "roleArn for sagemaker steps."
  value       = module.aws.sagemaker_execution_role_arn
}

output "data_bucket" {
  description = "Dataset bucket (s3://<bucket>/...)."
  value       = module.aws.data_bucket
}

output "models_bucket" {
  description = "Models bucket for outputS3Uri."
  value       = module.aws.models_bucket
}

output "model_package_group_arns" {
  description = "Model package group per model (ModelVersion spec.registries.sagemaker.modelPackageGroup)."
  value       = module.aws.model_package_group_arns
}

output "controller_role_arn" {
  description = "The controller's IAM role; per-namespace roles must trust it."
  value       = module.aws.controller_role_arn
}
