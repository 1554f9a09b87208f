locals {
  workload_pool = "${var.cluster_project_id != "" ? var.cluster_project_id : var.project_id}.svc.id.goog"
  ksa_member    = "serviceAccount:${local.workload_pool}[${var.kubernetes_namespace}/${var.service_account_name}]"

  buckets = {
    data   = var.data_bucket_name
    models = var.models_bucket_name
  }
}
