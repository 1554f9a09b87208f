# Sextant on an existing GKE cluster: the gcp module (Workload Identity service account, training
# service account, buckets) and the chart, wired by the module outputs.

provider "google" {
  project = var.project_id
}

data "google_client_config" "current" {}

data "google_container_cluster" "this" {
  name     = var.cluster_name
  location = var.cluster_location
}

provider "helm" {
  kubernetes {
    host                   = "https://${data.google_container_cluster.this.endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(data.google_container_cluster.this.master_auth[0].cluster_ca_certificate)
  }
}

module "gcp" {
  source = "../../modules/gcp"

  project_id            = var.project_id
  kubernetes_namespace  = var.namespace
  data_bucket_name      = var.data_bucket_name
  models_bucket_name    = var.models_bucket_name
  bucket_location       = var.bucket_location
  dual_region_locations = var.dual_region_locations
}

module "sextant" {
  source = "../../modules/sextant-helm"

  namespace            = module.gcp.kubernetes_namespace
  service_account_name = module.gcp.service_account_name
  gcp_service_account  = module.gcp.controller_service_account_email
  pricing              = var.pricing
}
