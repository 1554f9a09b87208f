output "values_yaml" {
  description = "The generated chart values (identity annotations, region, pricing)."
  value       = module.values.yaml
}

output "release_name" {
  description = "Name of the Helm release."
  value       = helm_release.sextant.name
}

output "namespace" {
  description = "Namespace of the release."
  value       = helm_release.sextant.namespace
}

output "chart_version" {
  description = "Version of the installed chart."
  value       = helm_release.sextant.version
}
