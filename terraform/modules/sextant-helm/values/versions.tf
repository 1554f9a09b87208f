# No provider: these values are computed by Terraform alone, so the tests can init, validate and
# apply this module offline (Tests/PlatformTests/TerraformTests.swift).
terraform {
  required_version = ">= 1.0.0"
}
