output "yaml" {
  description = "The values as a YAML document, for helm_release.values or `helm template -f`."
  value       = yamlencode(local.values)
}
