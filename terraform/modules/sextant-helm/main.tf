# Installs the Sextant chart with the identity annotations, region and pricing values wired from
# the cloud modules' outputs. The values themselves are computed in ./values (no provider), which
# the tests render and feed to `helm template`.

module "values" {
  source = "./values"

  service_account_name = var.service_account_name
  aws_role_arn         = var.aws_role_arn
  aws_region           = var.aws_region
  gcp_service_account  = var.gcp_service_account
  azure_client_id      = var.azure_client_id
  azure_tenant_id      = var.azure_tenant_id
  pricing              = var.pricing
  extra_env            = var.extra_env
}

resource "helm_release" "sextant" {
  name             = var.release_name
  namespace        = var.namespace
  create_namespace = var.create_namespace
  chart            = var.chart != "" ? var.chart : "${path.module}/../../../charts/sextant"
  repository       = var.chart_repository != "" ? var.chart_repository : null
  version          = var.chart_version != "" ? var.chart_version : null

  values = concat([module.values.yaml], var.extra_values)

  atomic          = true
  wait            = true
  cleanup_on_fail = true
  timeout         = var.timeout_seconds
}
