# One SageMaker model package group per model: the registry that ModelVersion
# spec.registries.sagemaker.modelPackageGroup mirrors into.

resource "aws_sagemaker_model_package_group" "this" {
  for_each                        = var.models
  model_package_group_name        = each.key
  model_package_group_description = each.value
  tags                            = var.tags
}
