# Sextant on an existing AKS cluster: the azure module (workload identity with a federated
# credential, storage, optional ML workspace) and the chart, wired by the module outputs.

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
}

data "azurerm_kubernetes_cluster" "this" {
  name                = var.cluster_name
  resource_group_name = var.cluster_resource_group_name
}

provider "helm" {
  kubernetes {
    host                   = data.azurerm_kubernetes_cluster.this.kube_config[0].host
    client_certificate     = base64decode(data.azurerm_kubernetes_cluster.this.kube_config[0].client_certificate)
    client_key             = base64decode(data.azurerm_kubernetes_cluster.this.kube_config[0].client_key)
    cluster_ca_certificate = base64decode(data.azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate)
  }
}

module "azure" {
  source = "../../modules/azure"

  resource_group_name  = var.resource_group_name
  location             = var.location
  oidc_issuer_url      = data.azurerm_kubernetes_cluster.this.oidc_issuer_url
  kubernetes_namespace = var.namespace
  storage_account_name = var.storage_account_name
  allowed_subnet_ids   = var.allowed_subnet_ids
  create_ml_workspace  = var.create_ml_workspace
  ml_workspace_id      = var.ml_workspace_id
  tags                 = var.tags
}

module "sextant" {
  source = "../../modules/sextant-helm"

  namespace            = module.azure.kubernetes_namespace
  service_account_name = module.azure.service_account_name
  azure_client_id      = module.azure.controller_client_id
  azure_tenant_id      = module.azure.tenant_id
  pricing              = var.pricing
}
