// KubeRuntime module.
