# The chart values that connect the cloud modules' outputs to the chart: the ServiceAccount name the
# cloud identity trusts, the workload-identity annotations (through the chart's cloudIdentity
# values), the controller's region and the pricing values.

locals {
  env = concat(
    var.aws_region == "" ? [] : [{ name = "AWS_REGION", value = var.aws_region }],
    var.extra_env,
  )

  base = {
    serviceAccount = {
      create = true
      name   = var.service_account_name
    }
    cloudIdentity = {
      aws   = { roleArn = var.aws_role_arn }
      gcp   = { serviceAccount = var.gcp_service_account }
      azure = { clientId = var.azure_client_id, tenantId = var.azure_tenant_id }
    }
    controller = {
      env = local.env
    }
  }

  values = merge(local.base, var.pricing == null ? {} : { pricing = var.pricing })
}
